import { elementCount, forEachBroadcastBatch } from '../../tensor/shape.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { gemm, rowMajor } from '../_kernels/gemm.js';
import { matmulGeometry, type MatMul } from './matmul.op.js';

// One blocked GEMM per broadcast batch index; when B has no batch dims and A's batch is dense,
// A's batch folds into M and the whole product is a single GEMM.
export const matmulCpu: CpuKernel<typeof MatMul.attrs> = ([a, b], _attrs, [out]) => {
  const { batch, m, k, n } = matmulGeometry(a!.shape, b!.shape);
  const A = f32Of(a!);
  const B = f32Of(b!);
  const Y = new Float32Array(elementCount(out!.shape));
  const batches = elementCount(batch);
  const aBatch = a!.shape.length > 2 ? a!.shape.slice(0, -2) : [];
  const bBatch = b!.shape.length > 2 ? b!.shape.slice(0, -2) : [];
  if (elementCount(bBatch) === 1 && elementCount(aBatch) === batches) {
    gemm(batches * m, n, k, rowMajor(A, 0, k), rowMajor(B, 0, n), Y, 0, n, false);
    return [floatResult(out!.dtype, out!.shape, Y)];
  }
  forEachBroadcastBatch(batch, aBatch, bBatch, (t, aAt, bAt) => {
    gemm(m, n, k, rowMajor(A, aAt * m * k, k), rowMajor(B, bAt * k * n, n), Y, t * m * n, n, false);
  });
  return [floatResult(out!.dtype, out!.shape, Y)];
};
