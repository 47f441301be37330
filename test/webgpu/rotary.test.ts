// RotaryEmbedding (ONNX opset 23 and com.microsoft) on WebGPU against onnxruntime: 3-D and 4-D
// inputs, position ids as a table or a start offset, interleaved, partial rotary dim; no fallback.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor, type OneNodeSpec } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('com.microsoft RotaryEmbedding on WebGPU matches onnxruntime', { skip }, async () => {
  const [b, s, heads, hd, maxSeq] = [2, 3, 2, 8, 10];
  const cos = randomTensor([maxSeq, hd / 2], 52);
  const sin = randomTensor([maxSeq, hd / 2], 53);
  const pos = Tensor.fromNumeric('int64', [b, s], [0, 1, 2, 4, 5, 6]);
  const spec = (x: Tensor, p: Tensor, attrs: OneNodeSpec['attrs'] = {}): OneNodeSpec => ({
    op: 'RotaryEmbedding', domain: 'com.microsoft', attrs, inputs: { x, p }, initializers: { cos, sin }, inputOrder: ['x', 'p', 'cos', 'sin'], outputs: ['y'],
  });
  await expectWebgpuLikeOrt(spec(randomTensor([b, s, heads * hd], 54), pos), undefined, '3-D, table');
  await expectWebgpuLikeOrt(spec(randomTensor([b, s, heads * hd], 55), Tensor.fromNumeric('int64', [1], [3]), { interleaved: 1 }), undefined, 'start offset, interleaved');
  await expectWebgpuLikeOrt(spec(randomTensor([b, heads, s, hd], 56), pos), undefined, '4-D');
  await expectWebgpuLikeOrt(spec(randomTensor([b, s, heads * 2 * hd], 57), pos, { num_heads: heads, rotary_embedding_dim: hd }), undefined, 'partial');
});

test('ONNX RotaryEmbedding (opset 23) on WebGPU matches onnxruntime', { skip }, async () => {
  const [b, s, heads, hd, maxPos] = [2, 4, 3, 8, 12];
  const pos = Tensor.fromNumeric('int64', [b, s], [3, 0, 7, 11, 1, 2, 9, 4]);
  const cases: [Tensor, Tensor, Tensor, Tensor | undefined, OneNodeSpec['attrs'], string][] = [
    [randomTensor([b, heads, s, hd], 60), randomTensor([maxPos, hd / 2], 61), randomTensor([maxPos, hd / 2], 62), pos, {}, '4-D, position ids'],
    [randomTensor([b, s, heads * hd], 63), randomTensor([b, s, 2], 64), randomTensor([b, s, 2], 65), undefined, { num_heads: heads, rotary_embedding_dim: 4, interleaved: 1 }, '3-D, no ids, partial, interleaved'],
  ];
  for (const [x, cos, sin, p, attrs, label] of cases) {
    const inputs: Record<string, Tensor> = { x, cos, sin, ...(p ? { p } : {}) };
    await expectWebgpuLikeOrt({ op: 'RotaryEmbedding', opset: 23, attrs, inputs, inputOrder: ['x', 'cos', 'sin', ...(p ? ['p'] : [])], outputs: ['y'] }, undefined, label);
  }
});
