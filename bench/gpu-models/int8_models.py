"""int8 models for bench/gpu-int8.sh (issue 16), on the GPU machine.

  python3 int8_models.py export OUT [resnet50 mobilenet_v2 bert_base]
      torchvision ResNet-50 and MobileNetV2 (seeded random weights, dynamic batch) and a Hugging Face
      BERT-base built from its config (seq 128), each as OUT/<name>_fp/model.onnx, then quantized by
      onnxruntime's own quantizer (quantize_static, QDQ format, uint8 activations, int8 per-channel
      weights, min-max calibration on seeded inputs) into OUT/<name>_qdq/model.onnx. Seeded
      accuracy inputs go to OUT/<name>_sets/set_K/input_*.pb (5 × 100 images, or 4 BERT
      sequences) with onnxruntime's int8 CPU outputs in OUT/<name>_ort_int8/set_K (default session:
      Q/DQ fused into its integer kernels), the same model with graph optimizations off (the ONNX
      semantics: DQ, float op, Q) in OUT/<name>_ort_int8_ref/set_K, and its fp32 ones in
      OUT/<name>_ort_fp32/set_K.
  python3 int8_models.py compare OUT NAME NNRT_DIR
      nnrt's outputs (NNRT_DIR/set_K/output_0.pb) against onnxruntime int8: the share of elements
      within one quantization step (the scale of the DequantizeLinear writing the output; for a
      float output, its range / 255), the same share against the ONNX semantics for nnrt and for
      onnxruntime's fused session (how far onnxruntime's own kernels stray), and the top-1
      agreement with the fp32 model (classifiers).
"""
import os, sys, json, glob
import numpy as np

def tensor_pb(path, arr, name):
    from onnx import numpy_helper
    with open(path, 'wb') as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(arr), name).SerializeToString())

def read_pb(path):
    import onnx
    from onnx import numpy_helper
    t = onnx.TensorProto()
    t.ParseFromString(open(path, 'rb').read())
    return numpy_helper.to_array(t)

def cnn(name):
    import torch, torchvision
    torch.manual_seed(0)
    return getattr(torchvision.models, name)(weights=None).eval()

def export_cnn(out, name):
    import torch
    d = os.path.join(out, f'{name}_fp'); os.makedirs(d, exist_ok=True)
    path = os.path.join(d, 'model.onnx')
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    torch.onnx.export(cnn(name), (x,), path, opset_version=17, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}}, dynamo=False)
    rng = np.random.default_rng(2)
    calib = [{'input': rng.standard_normal((8, 3, 224, 224), dtype=np.float32)} for _ in range(4)]
    sets = [{'input': rng.standard_normal((100, 3, 224, 224), dtype=np.float32)} for _ in range(5)]
    return path, calib, sets

def export_bert(out):
    import torch
    from transformers import BertConfig, BertModel
    torch.manual_seed(0)
    m = BertModel(BertConfig(attn_implementation='eager')).eval()
    class W(torch.nn.Module):
        def __init__(s): super().__init__(); s.m = m
        def forward(s, a, b, t): return s.m(input_ids=a, attention_mask=b, token_type_ids=t).last_hidden_state
    d = os.path.join(out, 'bert_base_fp'); os.makedirs(d, exist_ok=True)
    path = os.path.join(d, 'model.onnx')
    rng = np.random.default_rng(3)
    def feed():
        ids = rng.integers(0, 30000, (1, 128), dtype=np.int64)
        return {'input_ids': ids, 'attention_mask': np.ones_like(ids), 'token_type_ids': np.zeros_like(ids)}
    f0 = feed()
    torch.onnx.export(W(), tuple(torch.from_numpy(f0[k]) for k in ('input_ids', 'attention_mask', 'token_type_ids')), path,
                      opset_version=17, input_names=list(f0), output_names=['last_hidden_state'], dynamo=False)
    return path, [feed() for _ in range(8)], [feed() for _ in range(4)]

def quantize(fp_path, qdq_path, calib, ops):
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    class Reader(CalibrationDataReader):
        def __init__(s): s.it = iter(calib)
        def get_next(s): return next(s.it, None)
    pre = fp_path.replace('.onnx', '.pre.onnx')
    try:
        quant_pre_process(fp_path, pre, skip_symbolic_shape=True)
    except Exception as e:  # the quantizer works on the plain export too
        print('quant_pre_process failed, quantizing the export as is:', repr(e)[:200], flush=True)
        pre = fp_path
    os.makedirs(os.path.dirname(qdq_path), exist_ok=True)
    quantize_static(pre, qdq_path, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, op_types_to_quantize=ops)

def export(out, names):
    import onnxruntime as ort
    for name in names:
        try:
            if name == 'bert_base':
                fp, calib, sets = export_bert(out)
                ops = ['MatMul', 'Gemm']
            else:
                fp, calib, sets = export_cnn(out, name)
                ops = None
            qdq = os.path.join(out, f'{name}_qdq', 'model.onnx')
            quantize(fp, qdq, calib, ops)
            s_fp = ort.InferenceSession(fp, providers=['CPUExecutionProvider'])
            s_q = ort.InferenceSession(qdq, providers=['CPUExecutionProvider'])
            # the ONNX semantics of the QDQ model (DQ, float op, Q): no graph optimizations, so no
            # fused integer kernels and no fused float ops rounding differently
            plain = ort.SessionOptions(); plain.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            s_ref = ort.InferenceSession(qdq, plain, providers=['CPUExecutionProvider'])
            outs = [o.name for o in s_q.get_outputs()]
            for k, feeds in enumerate(sets):
                sd = os.path.join(out, f'{name}_sets', f'set_{k}'); os.makedirs(sd, exist_ok=True)
                for i, inp in enumerate(s_q.get_inputs()):
                    tensor_pb(os.path.join(sd, f'input_{i}.pb'), feeds[inp.name], inp.name)
                for kind, sess in (('ort_int8', s_q), ('ort_int8_ref', s_ref), ('ort_fp32', s_fp)):
                    od = os.path.join(out, f'{name}_{kind}', f'set_{k}'); os.makedirs(od, exist_ok=True)
                    for i, v in enumerate(sess.run(None, feeds)):
                        tensor_pb(os.path.join(od, f'output_{i}.pb'), v, outs[i])
            print('OK', name, flush=True)
        except Exception as e:
            print('FAIL', name, repr(e)[:500], flush=True)

def output_step(qdq_path):
    """The scale of the DequantizeLinear writing graph output 0, or None for a float output."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(qdq_path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    out = m.graph.output[0].name
    for n in m.graph.node:
        if out in n.output and n.op_type == 'DequantizeLinear' and n.input[1] in inits:
            return float(np.max(inits[n.input[1]]))
    return None

def compare(out, name, nnrt_dir):
    step = output_step(os.path.join(out, f'{name}_qdq', 'model.onnx'))
    within = total = top_fp = top_ort = rows = 0
    worst = 0.0
    # beside onnxruntime's default (fused) session: nnrt and that session against the ONNX semantics
    within_ref = ort_within_ref = 0
    for sd in sorted(glob.glob(os.path.join(out, f'{name}_ort_int8', 'set_*'))):
        k = os.path.basename(sd)
        got_path = os.path.join(nnrt_dir, k, 'output_0.pb')
        if not os.path.exists(got_path):
            print(f'{name} {k}: nnrt wrote no output'); continue
        got = read_pb(got_path).astype(np.float64)
        want = read_pb(os.path.join(sd, 'output_0.pb')).astype(np.float64)
        fp = read_pb(os.path.join(out, f'{name}_ort_fp32', k, 'output_0.pb')).astype(np.float64)
        s = step if step is not None else (want.max() - want.min()) / 255
        d = np.abs(got - want)
        within += int((d <= s * 1.001 + 1e-6).sum()); total += d.size; worst = max(worst, float(d.max()))
        ref_path = os.path.join(out, f'{name}_ort_int8_ref', k, 'output_0.pb')
        if os.path.exists(ref_path):
            ref = read_pb(ref_path).astype(np.float64)
            within_ref += int((np.abs(got - ref) <= s * 1.001 + 1e-6).sum())
            ort_within_ref += int((np.abs(want - ref) <= s * 1.001 + 1e-6).sum())
        if name != 'bert_base':
            top_fp += int((got.argmax(1) == fp.argmax(1)).sum()); top_ort += int((got.argmax(1) == want.argmax(1)).sum()); rows += got.shape[0]
    r = {'model': name, 'step': step, 'step_kind': 'output DequantizeLinear scale' if step is not None else 'range/255 (float output)',
         'within_one_step': within / max(total, 1), 'elements': total, 'max_abs_diff': worst,
         'nnrt_within_one_step_of_onnx_semantics': within_ref / max(total, 1),
         'ort_fused_within_one_step_of_onnx_semantics': ort_within_ref / max(total, 1)}
    if rows:
        r.update({'top1_vs_fp32': top_fp / rows, 'top1_vs_ort_int8': top_ort / rows, 'inputs': rows})
    print(json.dumps(r))

if __name__ == '__main__':
    cmd, out = sys.argv[1], sys.argv[2]
    if cmd == 'export':
        export(out, sys.argv[3:] or ['resnet50', 'mobilenet_v2', 'bert_base'])
    else:
        compare(out, sys.argv[3], sys.argv[4])
