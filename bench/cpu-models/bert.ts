// A small BERT encoder written as torch.onnx exports Hugging Face's BertModel (opset 17, eager
// attention): Gather embeddings + LayerNormalization; per layer Q, K, V as MatMul + Add, Reshape and
// Transpose to heads, MatMul, Div by √d, Add of the extended mask, Softmax, MatMul, Transpose back,
// output MatMul + Add + residual + LayerNormalization, and the feed-forward with the exact Gelu
// decomposed as Div/Erf/Add/Mul/Mul. Weights are seeded random.
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

export function bertOnnx(c: BertConfig, seed: number): Uint8Array {
  const g = new OnnxBuilder(seed);
  const { hidden: D, heads, seq: S } = c;
  const dh = D / heads;
  const ids = g.input('input_ids', 'int64', [1, S]);
  const mask = g.input('attention_mask', 'int64', [1, S]);
  const types = g.input('token_type_ids', 'int64', [1, S]);
  const layerNorm = (x: string) => g.node('LayerNormalization', [x, g.filled('ln.weight', [D], 1), g.filled('ln.bias', [D], 0)], { axis: -1, epsilon: { f: 1e-12 } });
  const linear = (x: string, inF: number, outF: number) => g.node('Add', [g.node('MatMul', [x, g.weight('weight', [inF, outF], 1 / Math.sqrt(inF))]), g.weight('bias', [outF], 0.02)]);

  // embeddings: word + position + token type, then LayerNorm
  const positions = g.constant('position_ids', positionIds(S));
  let x = g.node('Add', [
    g.node('Add', [g.node('Gather', [g.weight('word_embeddings', [c.vocab, D], 0.5), ids]), g.node('Gather', [g.weight('token_type_embeddings', [2, D], 0.5), types])]),
    g.node('Gather', [g.weight('position_embeddings', [c.maxPositions, D], 0.5), positions]),
  ]);
  x = layerNorm(x);

  // extended mask: (1 − mask) · (a large negative), shaped [1, 1, 1, S]
  const m = g.node('Cast', [g.node('Unsqueeze', [g.node('Unsqueeze', [mask, g.ints([1])]), g.ints([2])])], { to: 1 });
  const extended = g.node('Mul', [g.node('Sub', [g.scalar(1), m]), g.scalar(-3.4028234663852886e38)]);

  const toHeads = (t: string, perm: number[]) => g.node('Transpose', [g.node('Reshape', [t, g.ints([1, S, heads, dh])])], { perm });
  for (let l = 0; l < c.layers; l++) {
    const q = toHeads(linear(x, D, D), [0, 2, 1, 3]);
    const k = toHeads(linear(x, D, D), [0, 2, 3, 1]);
    const v = toHeads(linear(x, D, D), [0, 2, 1, 3]);
    const scores = g.node('Add', [g.node('Div', [g.node('MatMul', [q, k]), g.scalar(Math.sqrt(dh))]), extended]);
    const ctx = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [ctx], { perm: [0, 2, 1, 3] }), g.ints([1, S, D])]);
    x = layerNorm(g.node('Add', [linear(merged, D, D), x]));
    const h = linear(x, D, c.intermediate);
    const gelu = g.node('Mul', [g.node('Mul', [h, g.node('Add', [g.node('Erf', [g.node('Div', [h, g.scalar(Math.SQRT2)])]), g.scalar(1)])]), g.scalar(0.5)]);
    x = layerNorm(g.node('Add', [linear(gelu, c.intermediate, D), x]));
  }
  g.identity(x, 'last_hidden_state');
  g.output('last_hidden_state', 'float32', [1, S, D]);
  return g.encode('bert', 17);
}

const positionIds = (seq: number) => new Tensor('int64', [1, seq], BigInt64Array.from({ length: seq }, (_, i) => BigInt(i)));
