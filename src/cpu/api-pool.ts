// Pooling on raw addresses (see kernel-api.ts): max and average 2-D pools (a 1-D pool has
// ih = kh = oh = 1) and global average / max pools, split over the planes on the thread pool.
import { scratchPerThread, splitRange, threadsFor } from './parallel.js';
import type { KernelCall } from './thread-pool.js';
import type { WasmKernels } from './wasm-kernels.js';

/** A 2-D pool over `planes` (N·C) planes: leading pads ph/pw, trailing pads phEnd/pwEnd. */
export interface PoolShape {
  planes: number;
  ih: number; iw: number; kh: number; kw: number; sh: number; sw: number;
  dh: number; dw: number; ph: number; pw: number; phEnd: number; pwEnd: number; oh: number; ow: number;
}

function planesSplit(wasm: WasmKernels, s: PoolShape): [number, number][] {
  return splitRange(s.planes, threadsFor(wasm, s.planes * s.oh * s.ow * s.kh * s.kw * 4));
}

/** Y = max over each window (NaN propagates); padding never wins. */
export function maxPool2d(wasm: WasmKernels, s: PoolShape, x: number, y: number): void {
  const mark = wasm.mark();
  const { ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow } = s;
  const scratch = scratchPerThread(wasm, wasm.k.poolScratchFloats(oh, ow, kh, kw, sh, sw, dh, dw));
  wasm.run(planesSplit(wasm, s).map(([p0, pc], t) => [['maxPool2d', [
    x + p0 * ih * iw * 4, y + p0 * oh * ow * 4, pc, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, scratch[t]!,
  ]] as KernelCall]));
  wasm.rewind(mark);
}

/**
 * 1 / (window taps counted) per output index along one dim: taps inside the input, or with
 * `includePad` inside the input and its explicit pads (ceil-mode overhang never counts); 0 where none.
 */
export function windowScales(size: number, out: number, k: number, s: number, d: number, padBegin: number, padEnd: number, includePad: boolean): Float32Array {
  const scales = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    let count = 0;
    for (let t = 0; t < k; t++) {
      const i = o * s - padBegin + t * d;
      if (includePad ? i >= -padBegin && i < size + padEnd : i >= 0 && i < size) count++;
    }
    scales[o] = count ? 1 / count : 0;
  }
  return scales;
}

/** Y = the window's mean: its sum over the taps counted (count_include_pad: `includePad`). */
export function averagePool2d(wasm: WasmKernels, s: PoolShape, x: number, y: number, includePad: boolean): void {
  const mark = wasm.mark();
  const { ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow } = s;
  const rows = wasm.put(windowScales(ih, oh, kh, sh, dh, ph, s.phEnd, includePad));
  const cols = wasm.put(windowScales(iw, ow, kw, sw, dw, pw, s.pwEnd, includePad));
  const scratch = scratchPerThread(wasm, wasm.k.poolScratchFloats(oh, ow, kh, kw, sh, sw, dh, dw));
  wasm.run(planesSplit(wasm, s).map(([p0, pc], t) => [['avgPool2d', [
    x + p0 * ih * iw * 4, y + p0 * oh * ow * 4, pc, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, rows, cols, scratch[t]!,
  ]] as KernelCall]));
  wasm.rewind(mark);
}

/** y[p] = mean or max of plane p (`size` floats each), for `planes` planes. */
export function globalPool(wasm: WasmKernels, kind: 'avg' | 'max', x: number, y: number, planes: number, size: number): void {
  const parts = splitRange(planes, threadsFor(wasm, planes * size * 2));
  wasm.run(parts.map(([p0, pc]) => [['globalPool', [x + p0 * size * 4, y + p0 * 4, pc, size, kind === 'max' ? 1 : 0]] as KernelCall]));
}
