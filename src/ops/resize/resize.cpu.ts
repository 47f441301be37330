// Resize as the ONNX reference evaluator defines it: every output coordinate along an axis maps
// to an input coordinate, then reads a few neighbouring input elements (edge-clamped) with
// weights. Axes are resampled one after another (the filters are separable).
import type { AttrsOf } from '../../ir/attr.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { aroundAxis } from '../_kernels/axes.js';
import type { CpuKernel } from '../op.js';
import { resizePlan, roiOf, type CoordinateMode, type NearestMode, type ResizeAttrs } from './resize.op.js';

/** What one output coordinate reads: input indices and weights, or the extrapolation value. */
export interface Taps {
  index: number[];
  weight: number[];
  outside: boolean;
}

/** Input coordinate of output coordinate x (the reference's float output width L·scale included). */
function sourceCoord(x: number, inLen: number, outLen: number, scale: number, mode: CoordinateMode, roi: [number, number]): number {
  const width = scale * inLen;
  switch (mode) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      // centres the output on the input when the integer output length cut the scaled width
      const offset = (inLen / 2) * (1 - outLen / width);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return width > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return width === 1 ? 0 : (x * (inLen - 1)) / (width - 1);
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    case 'tf_crop_and_resize': {
      const [start, end] = roi;
      const span = (end - start) * (inLen - 1);
      return start * (inLen - 1) + (width === 1 ? span / 2 : (x * span) / (width - 1));
    }
  }
}

function nearestIndex(c: number, mode: NearestMode): number {
  if (Number.isInteger(c)) return c;
  const f = Math.floor(c);
  const frac = c - f;
  switch (mode) {
    case 'round_prefer_floor': return frac <= 0.5 ? f : f + 1;
    case 'round_prefer_ceil': return frac < 0.5 ? f : f + 1;
    case 'floor': return f;
    case 'ceil': return f + 1;
  }
}

function cubic(d: number, a: number): number {
  const x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/**
 * Linear or cubic filter weights for the taps base + first, base + first + 1, ..., base − first + 1
 * around c = base + ratio (ratio in (0, 1]). Antialiasing stretches the filter by 1/scale when
 * downsampling and normalizes its weights to sum 1.
 */
function filterWeights(ratio: number, scale: number, attrs: AttrsOf<ResizeAttrs>): { first: number; weight: number[] } {
  const s = attrs.antialias ? Math.min(scale, 1) : 1;
  const isCubic = attrs.mode === 'cubic';
  const support = isCubic ? 2 : 1;
  const first = Math.floor(-support / s) + 1;
  const weight: number[] = [];
  for (let k = first; k < 2 - first; k++) {
    const d = (k - ratio) * s;
    weight.push(isCubic ? cubic(d, attrs.cubic_coeff_a) : Math.max(0, 1 - Math.abs(d)));
  }
  if (s === 1) return { first, weight };
  const total = weight.reduce((p, q) => p + q, 0);
  return { first, weight: weight.map((w) => w / total) };
}

export function axisTaps(inLen: number, outLen: number, scale: number, roi: [number, number], attrs: AttrsOf<ResizeAttrs>): Taps[] {
  return Array.from({ length: outLen }, (_, x) => {
    const c = sourceCoord(x, inLen, outLen, scale, attrs.coordinate_transformation_mode, roi);
    if (attrs.coordinate_transformation_mode === 'tf_crop_and_resize' && (c < 0 || c > inLen - 1)) {
      return { index: [], weight: [], outside: true };
    }
    const clampIndex = (i: number) => Math.min(Math.max(i, 0), inLen - 1);
    if (attrs.mode === 'nearest') return { index: [clampIndex(nearestIndex(c, attrs.nearest_mode))], weight: [1], outside: false };
    // the taps nearest to c, preferring lower indices: c = base + ratio with ratio in (0, 1]
    const base = Number.isInteger(c) ? c - 1 : Math.floor(c);
    const { first, weight } = filterWeights(c - base, scale, attrs);
    const index = weight.map((_, k) => base + first + k);
    if (attrs.exclude_outside) {
      index.forEach((i, k) => { if (i < 0 || i >= inLen) weight[k] = 0; });
      const total = weight.reduce((p, q) => p + q, 0);
      weight.forEach((w, k) => (weight[k] = w / total));
    }
    return { index: index.map(clampIndex), weight, outside: false };
  });
}

/** True when every output coordinate x reads input x alone (the axis is not resized). */
export function isIdentity(taps: Taps[], inLen: number): boolean {
  return taps.length === inLen && taps.every((t, x) => {
    let self = 0;
    let others = false;
    t.index.forEach((i, k) => {
      if (i === x) self += t.weight[k]!;
      else if (t.weight[k] !== 0) others = true;
    });
    return !t.outside && !others && self === 1;
  });
}

/** Resamples axis `axis` of `data` (of `shape`) with one Taps per output coordinate. */
function resampleAxis(data: Float64Array, shape: readonly number[], axis: number, taps: Taps[], extrapolation: number): Float64Array {
  const { outer, n, inner } = aroundAxis(shape, axis);
  const out = new Float64Array(outer * taps.length * inner);
  for (let o = 0; o < outer; o++) {
    taps.forEach((t, x) => {
      const dst = (o * taps.length + x) * inner;
      if (t.outside) {
        out.fill(extrapolation, dst, dst + inner);
        return;
      }
      t.index.forEach((i, k) => {
        const w = t.weight[k]!;
        if (w === 0) return;
        const src = (o * n + i) * inner;
        for (let j = 0; j < inner; j++) out[dst + j] += w * data[src + j]!;
      });
    });
  }
  return out;
}

// Integer outputs round to nearest and saturate (cubic filters overshoot the input range).
const INT_RANGE: Partial<Record<DType, [number, number]>> = { int8: [-128, 127], uint8: [0, 255], int32: [-(2 ** 31), 2 ** 31 - 1] };

function toOutput(dtype: DType, values: Float64Array): Float64Array {
  if (dtype === 'float32' || dtype === 'float16') return values;
  const [lo, hi] = INT_RANGE[dtype] ?? [-Infinity, Infinity];
  return values.map((v) => Math.min(Math.max(Math.round(v), lo), hi));
}

export const resizeCpu: CpuKernel<ResizeAttrs> = (inputs, attrs, [out]) => {
  const x = inputs[0]!;
  const known = inputs.map((t) => t && { dtype: t.dtype, shape: t.shape, value: t });
  const plan = resizePlan(x.shape, known, attrs);
  const roi = roiOf(x.rank, known[1], attrs.axes);
  const shape = [...x.shape];
  let data: Float64Array = Float64Array.from(x.numeric());
  for (let d = 0; d < shape.length; d++) {
    const taps = axisTaps(shape[d]!, out!.shape[d]!, plan.scales[d]!, roi[d]!, attrs);
    if (isIdentity(taps, shape[d]!)) continue;
    data = resampleAxis(data, shape, d, taps, attrs.extrapolation_value);
    shape[d] = out!.shape[d]!;
  }
  return [Tensor.fromNumeric(out!.dtype, out!.shape, toOutput(out!.dtype, data))];
};
