import { elementCount } from '../../tensor/shape.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { gemm, rowMajor } from '../_kernels/gemm.js';
import { columnBuffer, im2col } from '../_kernels/im2col.js';
import { windowPads, type Window } from '../_kernels/window.js';
import { convGeometry, type Conv } from './conv.op.js';

// Per image and group: Y_g[M/g × P] = W_g[M/g × K] · col[K × P] with the blocked GEMM, where col is
// the im2col of X_g (K = C/g · kernel size, P = output positions). A 1×1 stride-1 unpadded conv
// reads X_g directly as col. Depthwise 2-D convs (one input channel per group) use a direct loop.
export const convCpu: CpuKernel<typeof Conv.attrs> = ([x, w, b], a, [out]) => {
  const { window } = convGeometry(x!.shape, w!.shape, a);
  const [n, c] = x!.shape as [number, number];
  const m = w!.shape[0]!;
  const image = x!.shape.slice(2);
  const windows = out!.shape.slice(2);
  const pads = windowPads(image, windows, window);
  const X = f32Of(x!);
  const W = f32Of(w!);
  const Y = new Float32Array(elementCount(out!.shape));
  const P = elementCount(windows);
  if (b) {
    const B = f32Of(b);
    for (let i = 0; i < n * m; i++) Y.fill(B[i % m]!, i * P, (i + 1) * P);
  }
  const g = a.group;
  const cg = c / g;
  const mg = m / g;
  if (cg === 1 && image.length === 2) {
    depthwise2d(X, W, Y, n, c, mg, image, windows, window, pads);
    return [floatResult(out!.dtype, out!.shape, Y)];
  }
  const K = cg * elementCount(window.kernel);
  const direct = window.kernel.every((k) => k === 1) && window.strides.every((s) => s === 1) && pads.every((p) => p === 0);
  const col = direct ? undefined : columnBuffer(K * P);
  const imageSize = elementCount(image);
  for (let i = 0; i < n; i++) {
    for (let gi = 0; gi < g; gi++) {
      const xAt = (i * c + gi * cg) * imageSize;
      if (col) im2col(X, xAt, cg, image, windows, window, pads, col);
      const B = col ? rowMajor(col, 0, P) : rowMajor(X, xAt, P);
      gemm(mg, P, K, rowMajor(W, gi * mg * K, K), B, Y, (i * m + gi * mg) * P, P, b !== undefined);
    }
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};

/** Each output channel reads one input channel: y[o] += w[k] · x[o·s − p + k·d] along clipped rows. */
function depthwise2d(
  X: Float32Array, W: Float32Array, Y: Float32Array, n: number, c: number, mg: number,
  image: readonly number[], windows: readonly number[], w: Window, pads: readonly number[],
): void {
  const [ih, iw] = image as [number, number];
  const [oh, ow] = windows as [number, number];
  const [kh, kw] = w.kernel as [number, number];
  const [sh, sw] = w.strides as [number, number];
  const [dh, dw] = w.dilations as [number, number];
  const [ph, pw] = pads as [number, number];
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c * mg; ch++) {
      const xAt = (i * c + Math.floor(ch / mg)) * ih * iw;
      const yAt = (i * c * mg + ch) * oh * ow;
      const wAt = ch * kh * kw;
      for (let kx = 0; kx < kw; kx++) {
        const first = kx * dw - pw;
        const lo = Math.min(ow, Math.max(0, Math.ceil(-first / sw)));
        const hi = Math.max(lo, Math.min(ow, Math.floor((iw - 1 - first) / sw) + 1));
        for (let ky = 0; ky < kh; ky++) {
          const wv = W[wAt + ky * kw + kx]!;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ky * dh;
            if (iy < 0 || iy >= ih) continue;
            const src = xAt + iy * iw + first;
            const dst = yAt + oy * ow;
            for (let ox = lo; ox < hi; ox++) Y[dst + ox] += wv * X[src + ox * sw]!;
          }
        }
      }
    }
  }
}
