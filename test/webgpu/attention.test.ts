// ONNX Attention (opset 23) on WebGPU against onnxruntime: grouped-query heads, bool and float
// masks narrower than the total length, is_causal with a past cache, softcap and scale, 3-D
// inputs with present_key/present_value; no CPU fallback.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('Attention 4-D with GQA, a bool mask and is_causal on WebGPU matches onnxruntime', { skip }, async () => {
  const [b, qh, kvh, s, d] = [2, 4, 2, 5, 8];
  const mask = Tensor.fromNumeric('bool', [s, s], Array.from({ length: s * s }, (_, i) => (i % 7 === 3 ? 0 : 1)));
  await expectWebgpuLikeOrt({
    op: 'Attention', opset: 23, attrs: { is_causal: 1 },
    inputs: { q: randomTensor([b, qh, s, d], 1), k: randomTensor([b, kvh, s, d], 2), v: randomTensor([b, kvh, s, d], 3), mask },
    inputOrder: ['q', 'k', 'v', 'mask'], outputs: ['y'],
  });
});

test('Attention 3-D with past/present, a float mask, softcap and scale on WebGPU matches onnxruntime', { skip }, async () => {
  const [b, qh, kvh, s, past, d] = [1, 2, 1, 3, 4, 6];
  await expectWebgpuLikeOrt({
    op: 'Attention', opset: 23, attrs: { q_num_heads: qh, kv_num_heads: kvh, softcap: { float: 2.5 }, scale: { float: 0.7 }, is_causal: 1 },
    inputs: {
      q: randomTensor([b, s, qh * d], 4), k: randomTensor([b, s, kvh * d], 5), v: randomTensor([b, s, kvh * d], 6),
      mask: randomTensor([b, 1, s, past + s], 7, -2, 0), pk: randomTensor([b, kvh, past, d], 8), pv: randomTensor([b, kvh, past, d], 9),
    },
    inputOrder: ['q', 'k', 'v', 'mask', 'pk', 'pv'], outputs: ['y', 'present_k', 'present_v'],
  });
});
