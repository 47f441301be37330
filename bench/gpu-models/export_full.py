"""Full-size transformer-era models (random weights, published configs) for the transfer counts
of issue 13: ViT-B/16, BERT-base (seq 128), GPT-2 (seq 64), Whisper-tiny encoder, ConvNeXt-T,
Swin-T, DeepLabV3-MobileNetV3, SSDlite320-MobileNetV3. Writes the backend-test layout under OUT."""
import os, sys, torch
sys.argv = [sys.argv[0], sys.argv[1]]
import export_models as em
g = torch.Generator().manual_seed(1)
ids = torch.randint(0, 30000, (1, 128), generator=g)

def vit():
    from transformers import ViTConfig, ViTModel
    m = ViTModel(ViTConfig(attn_implementation='eager'), add_pooling_layer=False)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, x): return s.m(pixel_values=x).last_hidden_state
    em.export('vit_b16', W(), (torch.randn(1, 3, 224, 224, generator=g),), ['pixel_values'], ['last_hidden_state'])

def bert():
    from transformers import BertConfig, BertModel
    m = BertModel(BertConfig(attn_implementation='eager'))
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, a, b, t): return s.m(input_ids=a, attention_mask=b, token_type_ids=t).last_hidden_state
    em.export('bert_base', W(), (ids, torch.ones_like(ids), torch.zeros_like(ids)), ['input_ids', 'attention_mask', 'token_type_ids'], ['last_hidden_state'])

def gpt2():
    from transformers import GPT2Config, GPT2Model
    m = GPT2Model(GPT2Config(attn_implementation='eager'))
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, a): return s.m(input_ids=a, use_cache=False).last_hidden_state
    em.export('gpt2', W(), (ids[:, :64],), ['input_ids'], ['last_hidden_state'], dynamo=True, opset=18)

def whisper():
    from transformers import WhisperConfig
    from transformers.models.whisper.modeling_whisper import WhisperEncoder
    c = WhisperConfig(d_model=384, encoder_layers=4, encoder_attention_heads=6, encoder_ffn_dim=1536, num_mel_bins=80, attn_implementation='eager')
    m = WhisperEncoder(c)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, x): return s.m(input_features=x).last_hidden_state
    em.export('whisper_tiny_encoder', W(), (torch.randn(1, 80, 3000, generator=g),), ['input_features'], ['last_hidden_state'])

def convnext():
    import timm
    em.export('convnext_tiny', timm.create_model('convnext_tiny', pretrained=False), (torch.randn(1, 3, 224, 224, generator=g),), ['input'], ['logits'], opset=18)

def swin():
    import timm
    em.export('swin_tiny', timm.create_model('swin_tiny_patch4_window7_224', pretrained=False), (torch.randn(1, 3, 224, 224, generator=g),), ['input'], ['logits'], opset=18)

def deeplab():
    import torchvision
    m = torchvision.models.segmentation.deeplabv3_mobilenet_v3_large(weights=None, weights_backbone=None)
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, x): return s.m(x)['out']
    em.export('deeplabv3_mbv3', W(), (torch.randn(1, 3, 320, 320, generator=g),), ['input'], ['out'])

def ssd():
    import torchvision
    m = torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None)
    em.export('ssdlite320', m, ([torch.rand(3, 320, 320, generator=g)],), ['images'], ['boxes', 'scores', 'labels'])

for name, fn in [('vit_b16', vit), ('bert_base', bert), ('gpt2', gpt2), ('whisper_tiny_encoder', whisper), ('convnext_tiny', convnext),
                 ('swin_tiny', swin), ('deeplabv3_mbv3', deeplab), ('ssdlite320', ssd)]:
    # $EXPORT_MODELS (space-separated names) exports a subset
    if name in os.environ.get('EXPORT_MODELS', name).split():
        em.attempt(name, fn)
