// Window tables for pooling: for every output position, the offsets (within one N·C plane) of the
// taps that fall inside the input, and how many taps fall inside the input or its padding. Built
// once per call and reused for every plane, so the pooling loops are flat and rank-independent.
import { elementCount, stridesOf } from '../../tensor/shape.js';
import type { Window } from './window.js';

export interface PoolTable {
  /** Taps of output position p are offsets[starts[p] .. starts[p+1]). */
  starts: Int32Array;
  offsets: Int32Array;
  /** Per output position: taps inside the input or its explicit padding (AveragePool count_include_pad). */
  paddedCount: Int32Array;
}

export function poolTable(image: readonly number[], windows: readonly number[], w: Window, pads: readonly number[]): PoolTable {
  const r = image.length;
  const strides = stridesOf(image);
  // Per dim and output index: the in-bounds kernel taps [kLo, kHi), and the taps within the padded extent.
  const kLo: Int32Array[] = [];
  const kHi: Int32Array[] = [];
  const padded: Int32Array[] = [];
  for (let d = 0; d < r; d++) {
    const n = windows[d]!;
    kLo.push(new Int32Array(n));
    kHi.push(new Int32Array(n));
    padded.push(new Int32Array(n));
    for (let o = 0; o < n; o++) {
      let lo = -1;
      let hi = 0;
      for (let k = 0; k < w.kernel[d]!; k++) {
        const i = o * w.strides[d]! - pads[d]! + k * w.dilations[d]!;
        if (i >= 0 && i < image[d]!) {
          if (lo < 0) lo = k;
          hi = k + 1;
        }
        if (i >= -pads[d]! && i < image[d]! + pads[d + r]!) padded[d]![o]++;
      }
      kLo[d]![o] = Math.max(lo, 0);
      kHi[d]![o] = Math.max(hi, lo, 0);
    }
  }
  const positions = elementCount(windows);
  const starts = new Int32Array(positions + 1);
  const paddedCount = new Int32Array(positions);
  const offsets = new Int32Array(positions * elementCount(w.kernel));
  const o = new Array<number>(r).fill(0);
  const k = new Array<number>(r).fill(0);
  let count = 0;
  for (let p = 0; p < positions; p++) {
    let taps = 1;
    let inPad = 1;
    for (let d = 0; d < r; d++) {
      k[d] = kLo[d]![o[d]!]!;
      taps *= kHi[d]![o[d]!]! - k[d]!;
      inPad *= padded[d]![o[d]!]!;
    }
    for (let t = 0; t < taps; t++) {
      let at = 0;
      for (let d = 0; d < r; d++) at += (o[d]! * w.strides[d]! - pads[d]! + k[d]! * w.dilations[d]!) * strides[d]!;
      offsets[count++] = at;
      for (let d = r - 1; d >= 0; d--) {
        if (++k[d]! < kHi[d]![o[d]!]!) break;
        k[d] = kLo[d]![o[d]!]!;
      }
    }
    starts[p + 1] = count;
    paddedCount[p] = inPad;
    for (let d = r - 1; d >= 0 && ++o[d]! === windows[d]; d--) o[d] = 0;
  }
  return { starts, offsets: offsets.subarray(0, count), paddedCount };
}
