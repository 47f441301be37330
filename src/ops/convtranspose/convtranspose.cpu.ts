import { elementCount } from '../../tensor/shape.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { gemm, rowMajor, transposed } from '../_kernels/gemm.js';
import { col2im, columnBuffer } from '../_kernels/im2col.js';
import { convTransposeGeometry, type ConvTranspose } from './convtranspose.op.js';

// Per image and group: col[(M/g · K) × P] = W_gᵀ · X_g with the blocked GEMM (P = input positions,
// K = kernel size), then col2im scatters each column into the output window it came from.
export const convTransposeCpu: CpuKernel<typeof ConvTranspose.attrs> = ([x, w, b], a, [out]) => {
  const { window, pads } = convTransposeGeometry(x!.shape, w!.shape, a);
  const [n, c] = x!.shape as [number, number];
  const m = out!.shape[1]!;
  const g = a.group;
  const cg = c / g;
  const mg = m / g;
  const input = x!.shape.slice(2);
  const image = out!.shape.slice(2);
  const P = elementCount(input);
  const imageSize = elementCount(image);
  const rows = mg * elementCount(window.kernel);
  const X = f32Of(x!);
  const W = f32Of(w!);
  const Y = new Float32Array(elementCount(out!.shape));
  if (b) {
    const B = f32Of(b);
    for (let i = 0; i < n * m; i++) Y.fill(B[i % m]!, i * imageSize, (i + 1) * imageSize);
  }
  const col = columnBuffer(rows * P);
  for (let i = 0; i < n; i++) {
    for (let gi = 0; gi < g; gi++) {
      const wT = transposed(rowMajor(W, gi * cg * rows, rows));
      gemm(rows, P, cg, wT, rowMajor(X, (i * c + gi * cg) * P, P), col, 0, P, false);
      col2im(col, Y, (i * m + gi * mg) * imageSize, mg, image, input, window, pads);
    }
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
