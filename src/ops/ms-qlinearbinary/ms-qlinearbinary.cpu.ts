// QLinearAdd and QLinearMul evaluated in float32 the way onnxruntime's MLAS kernels do on x86, so
// that the results agree bit for bit: the scale ratios and zero points are folded into constants
// first, and the add rounds like the fused multiply-adds of the AVX2 kernel (one rounding each).
import { elementCount } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastRows } from '../_kernels/broadcast.js';
import { range8, scalarOf } from '../_kernels/qlinear.js';
import { roundHalfEven, saturateInt } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';

const f = Math.fround;
/** a·b + c rounded once to float32 (a is a byte value, so a·b is exact in a double). */
const fma = (a: number, b: number, c: number) => f(a * b + c);

export const qlinearAddCpu: CpuKernel = ([a, aScale, aZero, b, bScale, bZero, cScale, cZero], _attrs, [out]) => {
  const [min, max] = range8(out!.dtype);
  const q = (v: number) => saturateInt(roundHalfEven(v), min, max);
  const cs = scalarOf(cScale);
  const ra = f(scalarOf(aScale) / cs);
  const rb = f(scalarOf(bScale) / cs);
  // c = ra·a + rb·b + (c_zp − ra·a_zp − rb·b_zp)
  const fixed = f(scalarOf(cZero) - f(f(ra * scalarOf(aZero)) + f(rb * scalarOf(bZero))));
  const A = a!.numeric();
  const B = b!.numeric();
  const y = new Float64Array(elementCount(out!.shape));
  broadcastRows(out!.shape, [a!.shape, b!.shape], (o, [sa, sb], [da, db], n) => {
    if (da === 0) {
      // one A value along the row joins the constant, as in MLAS's scalar-operand kernel
      const c = f(fixed + f(A[sa!]! * ra));
      for (let j = 0; j < n; j++) y[o + j] = q(fma(B[sb! + j * db!]!, rb, c));
    } else if (db === 0) {
      const c = f(fixed + f(B[sb!]! * rb));
      for (let j = 0; j < n; j++) y[o + j] = q(fma(A[sa! + j * da]!, ra, c));
    } else {
      for (let j = 0; j < n; j++) y[o + j] = q(fma(A[sa! + j * da]!, ra, fma(B[sb! + j * db!]!, rb, fixed)));
    }
  });
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};

export const qlinearMulCpu: CpuKernel = ([a, aScale, aZero, b, bScale, bZero, cScale, cZero], _attrs, [out]) => {
  const [min, max] = range8(out!.dtype);
  const ratio = f(f(scalarOf(aScale) * scalarOf(bScale)) / scalarOf(cScale));
  const [za, zb, zc] = [scalarOf(aZero), scalarOf(bZero), scalarOf(cZero)];
  const A = a!.numeric();
  const B = b!.numeric();
  const y = new Float64Array(elementCount(out!.shape));
  broadcastRows(out!.shape, [a!.shape, b!.shape], (o, [sa, sb], [da, db], n) => {
    for (let j = 0; j < n; j++) {
      const product = (A[sa! + j * da!]! - za) * (B[sb! + j * db!]! - zb); // exact: |product| < 2^16
      y[o + j] = saturateInt(roundHalfEven(f(f(product * ratio) + zc)), min, max);
    }
  });
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
