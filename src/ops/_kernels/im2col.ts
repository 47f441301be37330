// im2col / col2im for N-D convolution. Rows of the column matrix are (channel, kernel offset) pairs,
// columns are window positions: col[(c·K + k)·P + p] = x[c, p·stride − pad + k·dilation] (0 in padding).
// col2im is the adjoint (scatter-add), used by ConvTranspose.
import { elementCount, stridesOf } from '../../tensor/shape.js';
import type { Window } from './window.js';

// One column buffer reused across calls (kernels run one at a time); larger requests get their own
// array so that one huge layer does not pin its memory for the process's lifetime.
const SHARED_LIMIT = 1 << 22; // floats (16 MiB)
let shared = new Float32Array(0);

/** A column buffer of at least `size` floats (contents undefined). */
export function columnBuffer(size: number): Float32Array {
  if (size > SHARED_LIMIT) return new Float32Array(size);
  if (shared.length < size) shared = new Float32Array(Math.max(size, Math.min(SHARED_LIMIT, 2 * shared.length)));
  return shared;
}

/**
 * Walks every (row, outer window position) pair and hands `visit` the input offset of the row's
 * innermost line (or -1 when the line lies in padding) and the valid range of the innermost
 * window index. `image` is the dims of the padded side, `windows` the dims of the window grid.
 */
function forEachLine(
  channels: number, image: readonly number[], windows: readonly number[], w: Window, pads: readonly number[],
  visit: (lineAt: number, colAt: number, first: number, lo: number, hi: number) => void,
): void {
  const r = image.length;
  const last = r - 1;
  const imageSize = elementCount(image);
  const imageStrides = stridesOf(image);
  const kernelSize = elementCount(w.kernel);
  const kernelStrides = stridesOf(w.kernel);
  const windowsLast = windows[last]!;
  const outer = elementCount(windows) / windowsLast;
  const outerStrides = stridesOf(windows.slice(0, last));
  const s = w.strides[last]!;
  let colAt = 0;
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < kernelSize; k++) {
      const kLast = k % w.kernel[last]!;
      const first = kLast * w.dilations[last]! - pads[last]!;
      // window indices o with 0 ≤ first + o·s < image[last]
      const lo = Math.min(windowsLast, Math.max(0, Math.ceil(-first / s)));
      const hi = Math.max(lo, Math.min(windowsLast, Math.floor((image[last]! - 1 - first) / s) + 1));
      for (let o = 0; o < outer; o++, colAt += windowsLast) {
        let at = c * imageSize;
        for (let d = 0; d < last && at >= 0; d++) {
          const od = Math.floor(o / outerStrides[d]!) % windows[d]!;
          const kd = Math.floor(k / kernelStrides[d]!) % w.kernel[d]!;
          const i = od * w.strides[d]! - pads[d]! + kd * w.dilations[d]!;
          at = i < 0 || i >= image[d]! ? -1 : at + i * imageStrides[d]!;
        }
        visit(at, colAt, first, lo, hi);
      }
    }
  }
}

/** Fills `col` ([channels·K] × P) from `x` (channels × image dims, at `xAt`). */
export function im2col(
  x: Float32Array, xAt: number, channels: number, image: readonly number[], windows: readonly number[],
  w: Window, pads: readonly number[], col: Float32Array,
): void {
  const s = w.strides[image.length - 1]!;
  const n = windows[windows.length - 1]!;
  forEachLine(channels, image, windows, w, pads, (lineAt, colAt, first, lo, hi) => {
    if (lineAt < 0) {
      col.fill(0, colAt, colAt + n);
      return;
    }
    col.fill(0, colAt, colAt + lo);
    const src = xAt + lineAt + first;
    if (s === 1) col.set(x.subarray(src + lo, src + hi), colAt + lo);
    else for (let o = lo; o < hi; o++) col[colAt + o] = x[src + o * s]!;
    col.fill(0, colAt + hi, colAt + n);
  });
}

/** Adds `col` ([channels·K] × P) into `y` (channels × image dims, at `yAt`): the adjoint of im2col. */
export function col2im(
  col: Float32Array, y: Float32Array, yAt: number, channels: number, image: readonly number[], windows: readonly number[],
  w: Window, pads: readonly number[],
): void {
  const s = w.strides[image.length - 1]!;
  forEachLine(channels, image, windows, w, pads, (lineAt, colAt, first, lo, hi) => {
    if (lineAt < 0) return;
    const dst = yAt + lineAt + first;
    for (let o = lo; o < hi; o++) y[dst + o * s] += col[colAt + o]!;
  });
}
