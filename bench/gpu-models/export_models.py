"""Exports small modern models (random seeded weights, small configs) to ONNX with onnxruntime
CPU reference outputs in the ONNX backend-test layout, for nnrt's held-out model checks."""
import os, sys, traceback, json
import numpy as np, torch
import onnx, onnxruntime as ort
from onnx import numpy_helper

OUT = sys.argv[1]
FULL = len(sys.argv) > 2 and sys.argv[2] == 'full'
torch.manual_seed(0)
report = {}

def save(name, path, feeds):
    d = os.path.dirname(path)
    s = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    outs = s.run(None, feeds)
    ds = os.path.join(d, 'test_data_set_0'); os.makedirs(ds, exist_ok=True)
    for i, inp in enumerate(s.get_inputs()):
        open(os.path.join(ds, f'input_{i}.pb'), 'wb').write(numpy_helper.from_array(feeds[inp.name], inp.name).SerializeToString())
    for i, (o, v) in enumerate(zip(s.get_outputs(), outs)):
        open(os.path.join(ds, f'output_{i}.pb'), 'wb').write(numpy_helper.from_array(np.asarray(v), o.name).SerializeToString())
    m = onnx.load(path)
    ops = sorted({(n.domain or 'ai.onnx') + ':' + n.op_type for n in m.graph.node})
    report[name] = {'ok': True, 'size': os.path.getsize(path), 'ops': ops, 'opset': [(o.domain, o.version) for o in m.opset_import]}
    print('OK', name, os.path.getsize(path), len(m.graph.node), 'nodes', flush=True)

def export(name, model, args, input_names, output_names=None, dynamo=False, opset=17, dynamic_axes=None):
    d = os.path.join(OUT, name); os.makedirs(d, exist_ok=True)
    path = os.path.join(d, 'model.onnx')
    model.eval()
    with torch.no_grad():
        torch.onnx.export(model, args, path, input_names=input_names, output_names=output_names,
                          opset_version=opset, dynamo=dynamo, dynamic_axes=dynamic_axes,
                          **({'external_data': False} if dynamo else {}))
    flat = [a[0] if isinstance(a, list) else a for a in args]
    feeds = {n: (a.numpy()) for n, a in zip(input_names, flat)}
    save(name, path, feeds)
    return path

def attempt(name, fn):
    try:
        fn()
    except Exception as e:
        report[name] = {'ok': False, 'error': repr(e)[:500]}
        print('FAIL', name, repr(e)[:300], flush=True)
        traceback.print_exc(limit=3)

g = torch.Generator().manual_seed(1)
ids = torch.randint(0, 1000, (1, 16), generator=g)
mask = torch.ones(1, 16, dtype=torch.int64)

def bert(dynamo=False, name='bert_tiny'):
    from transformers import BertConfig, BertModel
    c = BertConfig(vocab_size=1000, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, max_position_embeddings=64, attn_implementation='eager')
    m = BertModel(c)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, a, b, t): return s.m(input_ids=a, attention_mask=b, token_type_ids=t).last_hidden_state
    export(name, W(), (ids, mask, torch.zeros_like(ids)), ['input_ids', 'attention_mask', 'token_type_ids'], ['last_hidden_state'], dynamo=dynamo, opset=18 if dynamo else 17)

def bert_fused():
    from onnxruntime.transformers import optimizer
    src = os.path.join(OUT, 'bert_tiny', 'model.onnx')
    d = os.path.join(OUT, 'bert_tiny_ortfused'); os.makedirs(d, exist_ok=True)
    o = optimizer.optimize_model(src, model_type='bert', num_heads=4, hidden_size=64, opt_level=1, use_gpu=False)
    p = os.path.join(d, 'model.onnx'); o.save_model_to_file(p)
    save('bert_tiny_ortfused', p, {'input_ids': ids.numpy(), 'attention_mask': mask.numpy(), 'token_type_ids': np.zeros((1, 16), np.int64)})

def bert_dynq():
    from onnxruntime.quantization import quantize_dynamic, QuantType
    src = os.path.join(OUT, 'bert_tiny', 'model.onnx')
    d = os.path.join(OUT, 'bert_tiny_dynquant'); os.makedirs(d, exist_ok=True)
    p = os.path.join(d, 'model.onnx'); quantize_dynamic(src, p, weight_type=QuantType.QInt8)
    save('bert_tiny_dynquant', p, {'input_ids': ids.numpy(), 'attention_mask': mask.numpy(), 'token_type_ids': np.zeros((1, 16), np.int64)})

def gpt2():
    from transformers import GPT2Config, GPT2Model
    c = GPT2Config(vocab_size=1000, n_embd=64, n_layer=2, n_head=4, n_positions=64, attn_implementation='eager')
    m = GPT2Model(c)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, a): return s.m(input_ids=a, use_cache=False).last_hidden_state
    export('gpt2_tiny', W(), (ids,), ['input_ids'], ['last_hidden_state'], dynamo=True, opset=18)

def distilbert():
    from transformers import DistilBertConfig, DistilBertModel
    c = DistilBertConfig(vocab_size=1000, dim=64, n_layers=2, n_heads=4, hidden_dim=128, max_position_embeddings=64, attn_implementation='eager')
    m = DistilBertModel(c)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, a, b): return s.m(input_ids=a, attention_mask=b).last_hidden_state
    export('distilbert_tiny', W(), (ids, mask), ['input_ids', 'attention_mask'], ['last_hidden_state'])

def vit():
    from transformers import ViTConfig, ViTModel
    c = ViTConfig(image_size=64, patch_size=16, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, attn_implementation='eager')
    m = ViTModel(c, add_pooling_layer=False)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, x): return s.m(pixel_values=x).last_hidden_state
    export('vit_tiny', W(), (torch.randn(1, 3, 64, 64, generator=g),), ['pixel_values'], ['last_hidden_state'])

def whisper():
    from transformers import WhisperConfig
    from transformers.models.whisper.modeling_whisper import WhisperEncoder
    c = WhisperConfig(d_model=64, encoder_layers=2, encoder_attention_heads=4, encoder_ffn_dim=128, num_mel_bins=80, max_source_positions=100, attn_implementation='eager')
    m = WhisperEncoder(c)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, x): return s.m(input_features=x).last_hidden_state
    export('whisper_enc_tiny', W(), (torch.randn(1, 80, 200, generator=g),), ['input_features'], ['last_hidden_state'])

def convnext():
    from transformers import ConvNextConfig, ConvNextModel
    c = ConvNextConfig(depths=[1, 1, 2, 1], hidden_sizes=[16, 32, 64, 128], num_channels=3)
    m = ConvNextModel(c)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, x): return s.m(pixel_values=x).pooler_output
    export('convnext_tiny_cfg', W(), (torch.randn(1, 3, 64, 64, generator=g),), ['pixel_values'], ['pooled'])

def timm_convnext():
    import timm
    m = timm.create_model('convnext_atto', pretrained=False, num_classes=10)
    export('timm_convnext_atto', m, (torch.randn(1, 3, 64, 64, generator=g),), ['input'], ['logits'], opset=18)

def swin():
    from transformers import SwinConfig, SwinModel
    c = SwinConfig(image_size=64, patch_size=4, embed_dim=24, depths=[1, 1], num_heads=[2, 4], window_size=4)
    m = SwinModel(c)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, x): return s.m(pixel_values=x).last_hidden_state
    export('swin_tiny_cfg', W(), (torch.randn(1, 3, 64, 64, generator=g),), ['pixel_values'], ['last_hidden_state'])

def lraspp():
    import torchvision
    m = torchvision.models.segmentation.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=5)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, x): return s.m(x)['out']
    export('lraspp_mbv3', W(), (torch.randn(1, 3, 128, 128, generator=g),), ['input'], ['out'])

def ssdlite():
    import torchvision
    m = torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=5)
    export('ssdlite_mbv3', m, ([torch.rand(3, 320, 320, generator=g)],), ['images'], ['boxes', 'scores', 'labels'], opset=17)

def rnns():
    class VAD(torch.nn.Module):
        def __init__(s):
            super().__init__()
            s.conv = torch.nn.Conv1d(1, 16, 5, stride=2)
            s.lstm = torch.nn.LSTM(16, 32, num_layers=2, batch_first=True)
            s.gru = torch.nn.GRU(32, 16, bidirectional=True, batch_first=True)
            s.fc = torch.nn.Linear(32, 1)
        def forward(s, x, h, c):
            y = torch.relu(s.conv(x)).transpose(1, 2)
            y, (h2, c2) = s.lstm(y, (h, c))
            y, _ = s.gru(y)
            return torch.sigmoid(s.fc(y[:, -1])), h2, c2
    export('vad_lstm_gru', VAD(), (torch.randn(1, 1, 256, generator=g), torch.zeros(2, 1, 32), torch.zeros(2, 1, 32)), ['audio', 'h0', 'c0'], ['prob', 'hn', 'cn'])

def qdq_cnn():
    import torchvision
    from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantFormat, QuantType
    m = torchvision.models.mobilenet_v2(weights=None, num_classes=10)
    x = torch.randn(1, 3, 64, 64, generator=g)
    p = export('mobilenetv2_fp32', m, (x,), ['input'], ['logits'], opset=17)
    class R(CalibrationDataReader):
        def __init__(s): s.i = 0
        def get_next(s):
            s.i += 1
            return {'input': torch.randn(1, 3, 64, 64, generator=g).numpy()} if s.i <= 8 else None
    d = os.path.join(OUT, 'mobilenetv2_qdq'); os.makedirs(d, exist_ok=True)
    q = os.path.join(d, 'model.onnx')
    quantize_static(p, q, R(), quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    save('mobilenetv2_qdq', q, {'input': x.numpy()})

if __name__ == '__main__':
  for name, fn in [('bert_tiny', bert), ('bert_tiny_dynamo', lambda: bert(True, 'bert_tiny_dynamo')), ('bert_tiny_ortfused', bert_fused),
                   ('bert_tiny_dynquant', bert_dynq), ('gpt2_tiny', gpt2), ('distilbert_tiny', distilbert), ('vit_tiny', vit),
                   ('whisper_enc_tiny', whisper), ('convnext_tiny_cfg', convnext), ('timm_convnext_atto', timm_convnext),
                   ('swin_tiny_cfg', swin), ('lraspp_mbv3', lraspp), ('ssdlite_mbv3', ssdlite), ('vad_lstm_gru', rnns), ('mobilenetv2_qdq', qdq_cnn)]:
      attempt(name, fn)
  json.dump(report, open(os.path.join(OUT, 'report.json'), 'w'), indent=1)
