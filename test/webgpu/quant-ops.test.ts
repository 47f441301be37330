// MatMulInteger and DynamicQuantizeLinear WGSL kernels against onnxruntime: zero points per tensor,
// per column and per batch (onnxruntime takes no per-row a zero point), int8 and uint8 operands, batch broadcasting, K past f32's exact-integer
// range; no CPU fallback.
import { test } from 'node:test';
import type { DType } from '../../src/tensor/dtype.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const EXACT = { atol: 0, rtol: 0 };

function ints(dtype: DType, shape: number[], seed: number): Tensor {
  const [lo, hi] = dtype === 'uint8' ? [0, 256] : [-128, 128];
  return Tensor.fromNumeric(dtype, shape, Array.from(randomTensor(shape, seed, lo, hi).numeric(), Math.floor));
}

test('MatMulInteger on WebGPU matches onnxruntime exactly', { skip }, async () => {
  const cases: { a: Tensor; b: Tensor; az?: Tensor; bz?: Tensor; label: string }[] = [
    { a: ints('uint8', [3, 5], 1), b: ints('uint8', [5, 4], 2), label: 'plain' },
    { a: ints('uint8', [2, 3, 7], 3), b: ints('int8', [7, 6], 4), az: ints('uint8', [], 5), bz: ints('int8', [6], 6), label: 'batched a, per-column b zero point' },
    { a: ints('uint8', [4, 9], 7), b: ints('uint8', [2, 9, 3], 8), az: ints('uint8', [], 9), bz: ints('uint8', [2, 1, 3], 10), label: 'broadcast a over b batches, per-batch b zero point' },
    { a: ints('uint8', [2, 700], 11), b: ints('uint8', [700, 3], 12), az: ints('uint8', [], 13), label: 'K = 700' },
    { a: ints('uint8', [6], 14), b: ints('uint8', [6, 2], 15), label: '1-D a' },
  ];
  for (const c of cases) {
    const inputs: Record<string, Tensor> = { a: c.a, b: c.b, ...(c.az ? { az: c.az } : {}), ...(c.bz ? { bz: c.bz } : {}) };
    const order = ['a', 'b', c.az ? 'az' : '', ...(c.bz ? ['bz'] : [])];
    await expectWebgpuLikeOrt({ op: 'MatMulInteger', opset: 10, inputs, inputOrder: order, outputs: ['y'] }, EXACT, c.label);
  }
});

test('DynamicQuantizeLinear on WebGPU matches onnxruntime (all-positive, all-negative, mixed)', { skip }, async () => {
  for (const [lo, hi] of [[-3, 5], [0.5, 2], [-4, -1]] as const) {
    await expectWebgpuLikeOrt({
      op: 'DynamicQuantizeLinear', opset: 11, inputs: { x: randomTensor([5, 300], 20, lo, hi) }, inputOrder: ['x'], outputs: ['y', 'scale', 'zp'],
    }, EXACT, `[${lo}, ${hi})`);
  }
});
