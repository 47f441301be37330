// A BERT encoder written as torch.onnx exports Hugging Face's BertModel (opset 17, eager
// attention): Gather embeddings + LayerNormalization; per layer Q, K, V as MatMul + Add, Reshape and
// Transpose to heads, MatMul, Div by √d, Add of the extended mask, Softmax, MatMul, Transpose back,
// output MatMul + Add + residual + LayerNormalization, and the feed-forward with the exact Gelu
// decomposed as Div/Erf/Add/Mul/Mul. Weights are seeded random.
// With `dynamic`, batch and sequence are symbolic as `dynamic_axes` exports them: every Reshape
// target is computed from Shape(x) (Gather, Unsqueeze, Concat), the position ids are a Slice of the
// [1, maxPositions] buffer up to the sequence length, and the pooler (first token → dense → Tanh)
// is a second output.
import { Tensor } from '../../src/tensor/tensor.js';
import { OnnxBuilder } from './onnx-builder.js';

export interface BertConfig {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  seq: number;
  vocab: number;
  maxPositions: number;
}

export const BERT_SMALL: BertConfig = { layers: 4, hidden: 256, heads: 4, intermediate: 1024, seq: 128, vocab: 30522, maxPositions: 512 };
/** bert-base-uncased's sizes (`seq` is only used by the static export). */
export const BERT_BASE: BertConfig = { layers: 12, hidden: 768, heads: 12, intermediate: 3072, seq: 128, vocab: 30522, maxPositions: 512 };

export interface BertExport {
  /** Symbolic 'batch' and 'sequence' dims, shapes computed in the graph, and the pooler output. */
  dynamic?: boolean;
}

export function bertOnnx(c: BertConfig, seed: number, opts: BertExport = {}): Uint8Array {
  const g = new OnnxBuilder(seed);
  const { hidden: D, heads, seq: S } = c;
  const dh = D / heads;
  const dyn = opts.dynamic ?? false;
  const dims = dyn ? ['batch', 'sequence'] : [1, S];
  const ids = g.input('input_ids', 'int64', dims);
  const mask = g.input('attention_mask', 'int64', dims);
  const types = g.input('token_type_ids', 'int64', dims);
  const layerNorm = (x: string) => g.node('LayerNormalization', [x, g.filled('ln.weight', [D], 1), g.filled('ln.bias', [D], 0)], { axis: -1, epsilon: { f: 1e-12 } });
  const linear = (x: string, inF: number, outF: number) => g.node('Add', [g.node('MatMul', [x, g.weight('weight', [inF, outF], 1 / Math.sqrt(inF))]), g.weight('bias', [outF], 0.02)]);
  // x.size(i) as torch traces it: Shape → Gather(i) → Unsqueeze, a 1-element int64 tensor
  const sizeOf = (x: string, i: number) => g.node('Unsqueeze', [g.node('Gather', [g.node('Shape', [x]), g.constant('i', new Tensor('int64', [], BigInt64Array.of(BigInt(i))))], { axis: 0 }), g.ints([0])]);
  // x.size()[:2] + tail: the batch and sequence of x, then fixed dims
  const shapeOf = (x: string, tail: number[]) => (dyn ? g.node('Concat', [sizeOf(x, 0), sizeOf(x, 1), g.ints(tail)], { axis: 0 }) : g.ints([1, S, ...tail]));

  // embeddings: word + position + token type, then LayerNorm
  const positions = dyn
    ? g.node('Slice', [g.constant('position_ids', positionIds(c.maxPositions)), g.ints([0]), sizeOf(ids, 1), g.ints([1])])
    : g.constant('position_ids', positionIds(S));
  let x = g.node('Add', [
    g.node('Add', [g.node('Gather', [g.weight('word_embeddings', [c.vocab, D], 0.5), ids]), g.node('Gather', [g.weight('token_type_embeddings', [2, D], 0.5), types])]),
    g.node('Gather', [g.weight('position_embeddings', [c.maxPositions, D], 0.5), positions]),
  ]);
  x = layerNorm(x);

  // extended mask: (1 − mask) · (a large negative), shaped [batch, 1, 1, S]
  const m = g.node('Cast', [g.node('Unsqueeze', [g.node('Unsqueeze', [mask, g.ints([1])]), g.ints([2])])], { to: 1 });
  const extended = g.node('Mul', [g.node('Sub', [g.scalar(1), m]), g.scalar(-3.4028234663852886e38)]);

  for (let l = 0; l < c.layers; l++) {
    // the head split's target: in the static export a constant per Reshape (as before, so the
    // static model's bytes do not change), in the dynamic one computed once per layer from x
    let split: string | undefined;
    const splitShape = () => (dyn ? (split ??= shapeOf(x, [heads, dh])) : shapeOf(x, [heads, dh]));
    const toHeads = (t: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [t, splitShape()])], { perm });
    const q = toHeads(linear(x, D, D), [0, 2, 1, 3]);
    const k = toHeads(linear(x, D, D), [0, 2, 3, 1]);
    const v = toHeads(linear(x, D, D), [0, 2, 1, 3]);
    const scores = g.node('Add', [g.node('Div', [g.node('MatMul', [q, k]), g.scalar(Math.sqrt(dh))]), extended]);
    const ctx = g.node('Transpose', [g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v])], { perm: [0, 2, 1, 3] });
    const merged = g.node('Reshape', [ctx, shapeOf(ctx, [D])]);
    x = layerNorm(g.node('Add', [linear(merged, D, D), x]));
    const h = linear(x, D, c.intermediate);
    const gelu = g.node('Mul', [g.node('Mul', [h, g.node('Add', [g.node('Erf', [g.node('Div', [h, g.scalar(Math.SQRT2)])]), g.scalar(1)])]), g.scalar(0.5)]);
    x = layerNorm(g.node('Add', [linear(gelu, c.intermediate, D), x]));
  }
  g.identity(x, 'last_hidden_state');
  g.output('last_hidden_state', 'float32', [...dims, D]);
  if (dyn) {
    // pooler: hidden_states[:, 0] → dense → tanh
    const first = g.node('Gather', [x, g.constant('i', new Tensor('int64', [], BigInt64Array.of(0n)))], { axis: 1 });
    g.identity(g.node('Tanh', [linear(first, D, D)]), 'pooler_output');
    g.output('pooler_output', 'float32', ['batch', D]);
  }
  return g.encode('bert', 17);
}

const positionIds = (seq: number) => new Tensor('int64', [1, seq], BigInt64Array.from({ length: seq }, (_, i) => BigInt(i)));
