// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss WGSL kernels against onnxruntime-node on
// seeded inputs: every reduction, with and without weights and ignore_index, int32 and int64
// targets, more target elements than the reducing workgroup has invocations, and
// SoftmaxCrossEntropyLoss with and without its log_prob output. Every node must run on the GPU.
import { test } from 'node:test';
import type { DType } from '../../src/tensor/dtype.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

/** Class indices in [0, c), every 5th replaced by `ignore` when given. */
function targets(shape: number[], c: number, seed: number, dtype: DType, ignore?: number): Tensor {
  const v = Array.from(randomTensor(shape, seed, 0, c).numeric(), (x, i) => (ignore !== undefined && i % 5 === 2 ? ignore : Math.floor(x)));
  return Tensor.fromNumeric(dtype, shape, v);
}

const CASES: { x: number[]; weight: boolean; ignore?: number; dtype: DType; label: string }[] = [
  { x: [3, 5], weight: false, dtype: 'int64', label: '[N, C]' },
  { x: [2, 4, 3, 5], weight: true, ignore: 1, dtype: 'int64', label: '[N, C, d1, d2], weights, ignore_index 1' },
  { x: [4, 3, 90], weight: true, ignore: -1, dtype: 'int32', label: '360 targets, int32, ignore_index -1' },
  { x: [2, 6, 2, 2, 3], weight: false, ignore: 4, dtype: 'int64', label: '[N, C, d1, d2, d3], ignore_index 4' },
];

for (const op of ['NegativeLogLikelihoodLoss', 'SoftmaxCrossEntropyLoss'] as const) {
  test(`${op} on WebGPU matches onnxruntime (none, sum, mean; weights; ignore_index)`, { skip }, async () => {
    for (const [k, c] of CASES.entries()) {
      const classes = c.x[1]!;
      const tShape = [c.x[0]!, ...c.x.slice(2)];
      const inputs: Record<string, Tensor> = {
        x: op === 'NegativeLogLikelihoodLoss' ? randomTensor(c.x, 10 + k, -4, 0) : randomTensor(c.x, 10 + k, -3, 3),
        t: targets(tShape, classes, 20 + k, c.dtype, c.ignore),
        ...(c.weight ? { w: randomTensor([classes], 30 + k, 0.2, 2) } : {}),
      };
      for (const reduction of ['none', 'sum', 'mean']) {
        const outputs = op === 'SoftmaxCrossEntropyLoss' && k % 2 === 1 ? ['loss', 'log_prob'] : ['loss'];
        await expectWebgpuLikeOrt({
          op, opset: 13, attrs: { reduction, ...(c.ignore !== undefined ? { ignore_index: c.ignore } : {}) },
          inputs, inputOrder: ['x', 't', ...(c.weight ? ['w'] : [])], outputs,
        }, { atol: 1e-4, rtol: 1e-4 }, `${c.label}, ${reduction}`);
      }
    }
  });
}
