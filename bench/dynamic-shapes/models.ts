// The models of the dynamic-shapes verification (issue 17), seeded, nothing downloaded:
// ResNet-50 (nnrt's zoo, v1 layout) with a symbolic batch, and a BERT-base-shaped encoder
// (hidden 768, 12 heads, FFN 3072) with symbolic batch and sequence whose head split is a Reshape
// to a shape computed from Shape(x), as exporters write it.
import { GraphBuilder } from '../../src/ir/builder.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { uniformTensor } from '../../src/tensor/random.js';
import { get_model } from '../../src/zoo/vision.js';

/** ResNet-50 v1 exported at batch 1 (image×image inputs), then its input and output batch made symbolic ('batch'). */
export function resnet50DynamicBatch(seed = 1, image = 224): Uint8Array {
  const net = get_model('resnet50_v1').initialize({ seed });
  const { graph } = importOnnx(net.exportOnnx({ dtype: 'float32', shape: [1, 3, image, image] }));
  graph.inputs = graph.inputs.map((v) => (graph.initializers.has(v.name) ? v : { ...v, shape: ['batch', ...v.shape.slice(1)] }));
  // the logits keep the symbolic batch too (else the export writes the traced [1,1000])
  graph.outputs = graph.outputs.map((o) => ({ name: o.name, dtype: 'float32', shape: ['batch', 1000] }));
  return exportOnnx(graph, { opset: 17, producerName: 'nnrt bench/dynamic-shapes' });
}

export interface EncoderShape {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
}

export const BERT_BASE: EncoderShape = { layers: 12, hidden: 768, heads: 12, ffn: 3072 };

const i64 = (v: number[]) => new Tensor('int64', [v.length], BigInt64Array.from(v.map(BigInt)));
const scalar = (v: number) => new Tensor('float32', [], Float32Array.of(v));

/**
 * x [batch, seq, hidden] (the embeddings' output) → `layers` post-norm encoder layers (BERT):
 * self-attention with heads split by Reshape(Shape(x)[0:2] ++ [heads, head]), residual + LayerNorm,
 * FFN with erf GELU, residual + LayerNorm. Weights uniform in ±0.05 (seeded), so activations stay O(1).
 */
export function bertEncoder(s: EncoderShape = BERT_BASE, seed = 7): Uint8Array {
  const b = new GraphBuilder('bert_encoder_dynamic', 17);
  const head = s.hidden / s.heads;
  let seeds = seed;
  const w = (name: string, shape: number[], scale = 0.05) => b.constant(name, uniformTensor(shape, seeds++, -scale, scale));
  let x = b.input('x', 'float32', ['batch', 'seq', s.hidden]);
  const xs = b.op('Shape', [x]);
  const bs = b.op('Slice', [xs, b.constant('zero', i64([0])), b.constant('two', i64([2]))]);
  const split = b.op('Concat', [bs, b.constant('heads', i64([s.heads, head]))], { axis: 0 });
  const merge = b.op('Concat', [bs, b.constant('width', i64([s.hidden]))], { axis: 0 });
  const invSqrt = b.constant('inv_sqrt', scalar(1 / Math.sqrt(head)));
  const half = b.constant('half', scalar(0.5));
  const one = b.constant('one', scalar(1));
  const invSqrt2 = b.constant('inv_sqrt2', scalar(Math.SQRT1_2));
  const linear = (t: string, k: number, n: number, name: string) => b.op('Add', [b.op('MatMul', [t, w(`${name}_w`, [k, n])]), w(`${name}_b`, [n], 0.02)]);
  const norm = (t: string, name: string) => b.op('LayerNormalization', [t, w(`${name}_g`, [s.hidden], 0.1), w(`${name}_beta`, [s.hidden], 0.1)], { axis: -1, epsilon: 1e-12 });
  for (let l = 0; l < s.layers; l++) {
    const p = `l${l}`;
    const heads = (name: string, perm: number[]) => b.op('Transpose', [b.op('Reshape', [linear(x, s.hidden, s.hidden, `${p}_${name}`), split])], { perm });
    const q = heads('q', [0, 2, 1, 3]);
    const k = heads('k', [0, 2, 3, 1]);
    const v = heads('v', [0, 2, 1, 3]);
    const probs = b.op('Softmax', [b.op('Mul', [b.op('MatMul', [q, k]), invSqrt])], { axis: -1 });
    const ctx = b.op('Reshape', [b.op('Transpose', [b.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), merge]);
    const attn = norm(b.op('Add', [x, linear(ctx, s.hidden, s.hidden, `${p}_o`)]), `${p}_ln1`);
    const h = linear(attn, s.hidden, s.ffn, `${p}_ffn1`);
    const gelu = b.op('Mul', [b.op('Mul', [h, half]), b.op('Add', [one, b.op('Erf', [b.op('Mul', [h, invSqrt2])])])]);
    x = norm(b.op('Add', [attn, linear(gelu, s.ffn, s.hidden, `${p}_ffn2`)]), `${p}_ln2`);
  }
  b.output(b.op('Identity', [x], {}, 'y'));
  return exportOnnx(b.graph, { opset: 17, producerName: 'nnrt bench/dynamic-shapes' });
}
