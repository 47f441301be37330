// The shifted operands multiplied in int32 (wrapping like onnxruntime's), C added in int32, then
// one float32 multiply per element by alpha·a_scale·b_scale[j] (/ y_scale), rounded half to even
// and saturated when Y is quantized.
import { broadcastStrides } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { int32MatMul } from '../_kernels/int-matmul.js';
import { range8, scalarOf } from '../_kernels/qlinear.js';
import { roundHalfEven, saturateInt } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';
import type { QGemm } from './ms-qgemm.op.js';

const f = Math.fround;

export const qgemmCpu: CpuKernel<typeof QGemm.attrs> = ([a, aScale, aZero, b, bScale, bZero, c, yScale, yZero], at, [out]) => {
  const [m, n] = out!.shape as [number, number];
  const k = at.transA ? a!.shape[0]! : a!.shape[1]!;
  const A = a!.numeric();
  const B = b!.numeric();
  const za = scalarOf(aZero);
  const zb = bZero!.numeric();
  const Ai = new Int32Array(m * k);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) Ai[i * k + p] = (at.transA ? A[p * m + i]! : A[i * k + p]!) - za;
  const Bi = new Int32Array(k * n);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) Bi[p * n + j] = (at.transB ? B[j * k + p]! : B[p * n + j]!) - zb[zb.length === 1 ? 0 : j]!;
  }
  const acc = int32MatMul(Ai, [m, k], Bi, [k, n], [m, n]);
  if (c) {
    const C = c.numeric();
    const [rs, cs] = broadcastStrides(c.shape, [m, n]) as [number, number];
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) acc[i * n + j] = (acc[i * n + j]! + C[i * rs + j * cs]!) | 0;
  }
  const bs = bScale!.numeric();
  const ys = yScale ? scalarOf(yScale) : 1;
  const scales = Float64Array.from({ length: n }, (_, j) => {
    const s = f(f(at.alpha * scalarOf(aScale)) * bs[bs.length === 1 ? 0 : j]!);
    return yScale ? f(s / ys) : s;
  });
  const y = new Float64Array(m * n);
  if (yZero) {
    const [min, max] = range8(out!.dtype);
    const yz = scalarOf(yZero);
    for (let i = 0; i < m * n; i++) y[i] = saturateInt(roundHalfEven(f(f(acc[i]!) * scales[i % n]!)) + yz, min, max);
  } else {
    for (let i = 0; i < m * n; i++) y[i] = f(f(acc[i]!) * scales[i % n]!);
  }
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
