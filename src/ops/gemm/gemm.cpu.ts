import { broadcastStrides } from '../../tensor/shape.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { gemm, rowMajor, transposed } from '../_kernels/gemm.js';
import type { Gemm } from './gemm.op.js';

// Y starts as beta · broadcast(C), then the blocked GEMM accumulates alpha · A' · B' into it;
// transposes are strided views, never copies.
export const gemmCpu: CpuKernel<typeof Gemm.attrs> = ([a, b, c], at, [out]) => {
  const [m, n] = out!.shape as [number, number];
  const A = f32Of(a!);
  const B = f32Of(b!);
  const k = at.transA ? a!.shape[0]! : a!.shape[1]!;
  const Y = new Float32Array(m * n);
  const withC = c !== undefined && at.beta !== 0;
  if (withC) {
    const C = f32Of(c);
    const [rs, cs] = broadcastStrides(c.shape, [m, n]) as [number, number];
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Y[i * n + j] = at.beta * C[i * rs + j * cs]!;
  }
  const aView = at.transA ? transposed(rowMajor(A, 0, m)) : rowMajor(A, 0, k);
  const bView = at.transB ? transposed(rowMajor(B, 0, k)) : rowMajor(B, 0, n);
  gemm(m, n, k, aView, bView, Y, 0, n, withC, at.alpha);
  return [floatResult(out!.dtype, out!.shape, Y)];
};
