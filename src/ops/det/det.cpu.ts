// Gaussian elimination with partial pivoting in float64; the determinant is the product of the
// pivots, negated once per row swap.
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';

function determinant(a: Float64Array, m: number): number {
  let det = 1;
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r * m + col]!) > Math.abs(a[pivot * m + col]!)) pivot = r;
    if (a[pivot * m + col] === 0) return 0;
    if (pivot !== col) {
      for (let c = 0; c < m; c++) [a[col * m + c], a[pivot * m + c]] = [a[pivot * m + c]!, a[col * m + c]!];
      det = -det;
    }
    const p = a[col * m + col]!;
    det *= p;
    for (let r = col + 1; r < m; r++) {
      const f = a[r * m + col]! / p;
      if (f !== 0) for (let c = col; c < m; c++) a[r * m + c]! -= f * a[col * m + c]!;
    }
  }
  return det;
}

export const detCpu: CpuKernel = ([x], _attrs, [out]) => {
  const m = x!.shape[x!.rank - 1]!;
  const X = f32Of(x!);
  const count = m === 0 ? out!.shape.reduce((a, d) => a * d, 1) : X.length / (m * m);
  const Y = new Float32Array(count);
  for (let i = 0; i < count; i++) Y[i] = determinant(Float64Array.from(X.subarray(i * m * m, (i + 1) * m * m)), m);
  return [floatResult(out!.dtype, out!.shape, Y)];
};
