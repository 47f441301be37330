// Sliding-window geometry shared by Conv, ConvTranspose and the pooling ops: per spatial dim a
// kernel size, stride, dilation and begin/end padding, with ONNX's auto_pad rules.
import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import type { DType } from '../../tensor/dtype.js';

export const AUTO_PAD = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;
export type AutoPad = (typeof AUTO_PAD)[number];

/** The attributes every sliding-window op has (kernel_shape is required by pools, optional for Conv). */
export const windowAttrs = {
  auto_pad: attr.string<AutoPad>('NOTSET', AUTO_PAD),
  dilations: attr.optional(attr.ints()),
  pads: attr.optional(attr.ints()),
  strides: attr.optional(attr.ints()),
};

export interface WindowAttrValues {
  auto_pad: AutoPad;
  dilations: number[] | undefined;
  pads: number[] | undefined;
  strides: number[] | undefined;
}

/** Kernel, strides, dilations and explicit pads ([begin…, end…]) normalized to `rank` spatial dims. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** The `pads` attribute (zeros when absent); auto_pad other than NOTSET overrides it. */
  pads: number[];
  autoPad: AutoPad;
}

export function windowOf(a: WindowAttrValues, kernel: readonly number[]): Window {
  const rank = kernel.length;
  const list = (v: number[] | undefined, fill: number, len: number, name: string): number[] => {
    if (v === undefined) return new Array<number>(len).fill(fill);
    if (v.length !== len) throw new ShapeError(`${name} has ${v.length} values; ${len} expected for ${rank} spatial dims`);
    return [...v];
  };
  const w: Window = {
    kernel: [...kernel],
    strides: list(a.strides, 1, rank, 'strides'),
    dilations: list(a.dilations, 1, rank, 'dilations'),
    pads: list(a.pads, 0, 2 * rank, 'pads'),
    autoPad: a.auto_pad,
  };
  if (w.kernel.some((k) => k < 1)) throw new ShapeError(`kernel_shape [${w.kernel.join(',')}] must be positive`);
  if (w.strides.some((s) => s < 1)) throw new ShapeError(`strides [${w.strides.join(',')}] must be positive`);
  if (w.dilations.some((d) => d < 1)) throw new ShapeError(`dilations [${w.dilations.join(',')}] must be positive`);
  if (w.pads.some((p) => p < 0)) throw new ShapeError(`pads [${w.pads.join(',')}] must not be negative`);
  return w;
}

const extent = (w: Window, i: number) => (w.kernel[i]! - 1) * w.dilations[i]! + 1;

/** Output spatial dims of a strided window (Conv, pools); `ceilMode` keeps partial last windows. */
export function windowOutput(input: readonly number[], w: Window, ceilMode = false): number[] {
  return input.map((n, i) => {
    const s = w.strides[i]!;
    const e = extent(w, i);
    if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return Math.ceil(n / s);
    const padded = w.autoPad === 'VALID' ? n : n + w.pads[i]! + w.pads[i + input.length]!;
    if (padded < e) throw new ShapeError(`spatial dim ${i}: the window (${e}) is larger than the padded input (${padded})`);
    if (!ceilMode) return Math.floor((padded - e) / s) + 1;
    let out = Math.ceil((padded - e) / s) + 1;
    // The last window must start inside the input or its begin padding, never in the end padding.
    const begin = w.autoPad === 'VALID' ? 0 : w.pads[i]!;
    if ((out - 1) * s >= n + begin) out--;
    return out;
  });
}

/** Begin/end pads ([begin…, end…]) a strided window used to produce `output` from `input`. */
export function windowPads(input: readonly number[], output: readonly number[], w: Window): number[] {
  const r = input.length;
  if (w.autoPad === 'NOTSET') return [...w.pads];
  if (w.autoPad === 'VALID') return new Array<number>(2 * r).fill(0);
  const pads = new Array<number>(2 * r);
  input.forEach((n, i) => {
    const total = Math.max(0, (output[i]! - 1) * w.strides[i]! + extent(w, i) - n);
    const small = Math.floor(total / 2);
    // SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
    pads[i] = w.autoPad === 'SAME_UPPER' ? small : total - small;
    pads[i + r] = total - pads[i]!;
  });
  return pads;
}

/** The output type of a pool over X [N, C, spatial…] with `kernel_shape` (AveragePool, LpPool). */
export function pooledType(
  x: { dtype: DType; shape: readonly number[] }, a: WindowAttrValues & { kernel_shape: number[]; ceil_mode: number },
): { dtype: DType; shape: number[] } {
  if (x.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x.shape.join(',')}]`);
  if (a.kernel_shape.length !== x.shape.length - 2) {
    throw new ShapeError(`kernel_shape has ${a.kernel_shape.length} dims; X has ${x.shape.length - 2} spatial dims`);
  }
  const spatial = windowOutput(x.shape.slice(2), windowOf(a, a.kernel_shape), a.ceil_mode !== 0);
  return { dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...spatial] };
}
