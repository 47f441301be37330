// WGSL kernels of the RMS, group and com.microsoft layer norms (EmbedLayerNormalization too) and of the com.microsoft Gelu family
// against onnxruntime, on shapes and options the ONNX backend tests miss; no CPU fallback.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const MS = 'com.microsoft';

test('Gelu, BiasGelu, FastGelu (with and without bias), QuickGelu on WebGPU match onnxruntime', { skip }, async () => {
  const x = randomTensor([2, 3, 8], 1, -4, 4);
  const bias = randomTensor([8], 2, -1, 1);
  const one = (op: string, inputs: Record<string, typeof x>, attrs = {}) =>
    expectWebgpuLikeOrt({ op, domain: MS, attrs, inputs, inputOrder: Object.keys(inputs), outputs: ['y'] }, undefined, JSON.stringify(attrs));
  await one('Gelu', { x });
  await one('BiasGelu', { x, bias });
  await one('FastGelu', { x });
  await one('FastGelu', { x, bias });
  await one('QuickGelu', { x });
  await one('QuickGelu', { x }, { alpha: { float: 1.5 } });
});

test('SkipLayerNormalization (beta, bias, all outputs; broadcast skip) on WebGPU matches onnxruntime', { skip }, async () => {
  const x = randomTensor([2, 5, 80], 3, -2, 2);
  await expectWebgpuLikeOrt({
    op: 'SkipLayerNormalization', domain: MS, attrs: { epsilon: { float: 1e-5 } },
    inputs: { x, skip: randomTensor([2, 5, 80], 4), gamma: randomTensor([80], 5, 0.5, 1.5), beta: randomTensor([80], 6), bias: randomTensor([80], 7) },
    inputOrder: ['x', 'skip', 'gamma', 'beta', 'bias'], outputs: ['y', 'mean', 'inv_std', 'sum'],
  });
  await expectWebgpuLikeOrt({
    op: 'SkipLayerNormalization', domain: MS,
    inputs: { x: randomTensor([3, 4, 8], 8, -2, 2), skip: randomTensor([4, 8], 9), gamma: randomTensor([8], 10, 0.5, 1.5) },
    inputOrder: ['x', 'skip', 'gamma'], outputs: ['y', '', '', 'sum'],
  }, undefined, 'skip [S,H], sum only');
});

test('SkipSimplifiedLayerNormalization with bias and the sum output on WebGPU matches onnxruntime', { skip }, async () => {
  await expectWebgpuLikeOrt({
    op: 'SkipSimplifiedLayerNormalization', domain: MS, attrs: { epsilon: { float: 1e-6 } },
    inputs: { x: randomTensor([2, 3, 16], 11, -2, 2), skip: randomTensor([1, 3, 16], 12), gamma: randomTensor([16], 13, 0.5, 1.5), bias: randomTensor([16], 14) },
    inputOrder: ['x', 'skip', 'gamma', 'bias'], outputs: ['y', '', 'inv_std', 'sum'],
  });
});

test('SimplifiedLayerNormalization (axis -1 and 1, inv_std_var) on WebGPU matches onnxruntime', { skip }, async () => {
  for (const [axis, scaleShape] of [[-1, [12]], [1, [3, 12]]] as const) {
    await expectWebgpuLikeOrt({
      op: 'SimplifiedLayerNormalization', opset: 17, attrs: { axis, epsilon: { float: 1e-5 } },
      inputs: { x: randomTensor([2, 3, 12], 15, -2, 2), scale: randomTensor([...scaleShape], 16, 0.5, 1.5) },
      inputOrder: ['x', 'scale'], outputs: ['y', 'inv'],
    }, undefined, `axis ${axis}`);
  }
});

test('RMSNormalization (rank 4, axis 2, scale over the last dim) on WebGPU matches onnxruntime', { skip }, async () => {
  await expectWebgpuLikeOrt({
    op: 'RMSNormalization', opset: 23, attrs: { axis: 2, epsilon: { float: 1e-4 } },
    inputs: { x: randomTensor([2, 3, 1, 70], 17, -3, 3), scale: randomTensor([1, 70], 18, 0.5, 1.5) },
    inputOrder: ['x', 'scale'], outputs: ['y'],
  });
});

test('GroupNormalization (opset 21 per-channel scale, rank 4 and 3) on WebGPU matches onnxruntime', { skip }, async () => {
  for (const [shape, groups] of [[[2, 6, 3, 5], 3], [[1, 8, 7], 2], [[2, 4, 3, 3], 4]] as const) {
    const c = shape[1];
    await expectWebgpuLikeOrt({
      op: 'GroupNormalization', opset: 21, attrs: { num_groups: groups, epsilon: { float: 1e-5 } },
      inputs: { x: randomTensor([...shape], 19, -2, 2), scale: randomTensor([c], 20, 0.5, 1.5), bias: randomTensor([c], 21) },
      inputOrder: ['x', 'scale', 'bias'], outputs: ['y'],
    }, undefined, `${shape} groups ${groups}`);
  }
});

test('EmbedLayerNormalization (segments, mask, embedding_sum; position_ids without segments) on WebGPU matches onnxruntime', { skip }, async () => {
  const [b, s, h] = [2, 6, 16];
  const ids = Tensor.fromNumeric('int32', [b, s], [3, 7, 0, 29, 12, 5, 8, 8, 1, 2, 28, 14]);
  const tables = { word: randomTensor([30, h], 18), pos: randomTensor([10, h], 19), gamma: randomTensor([h], 21, 0.5, 1.5), beta: randomTensor([h], 22) };
  await expectWebgpuLikeOrt({
    op: 'EmbedLayerNormalization', domain: MS, attrs: { epsilon: { float: 1e-12 } },
    inputs: { ids, seg: Tensor.fromNumeric('int32', [b, s], [0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1]), mask: Tensor.fromNumeric('int32', [b, s], [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]) },
    initializers: { ...tables, segEmb: randomTensor([2, h], 20) },
    inputOrder: ['ids', 'seg', 'word', 'pos', 'segEmb', 'gamma', 'beta', 'mask'], outputs: ['y', 'mask_index', 'sum'],
  }, undefined, 'segments, mask');
  await expectWebgpuLikeOrt({
    op: 'EmbedLayerNormalization', domain: MS, attrs: { epsilon: { float: 1e-5 } },
    inputs: { ids, posIds: Tensor.fromNumeric('int32', [1, s], [9, 2, 4, 0, 1, 3]) }, initializers: tables,
    inputOrder: ['ids', '', 'word', 'pos', '', 'gamma', 'beta', '', 'posIds'], outputs: ['y', 'mask_index'],
  }, undefined, 'position_ids');
});
