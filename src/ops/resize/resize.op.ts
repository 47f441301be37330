import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis, elementCount } from '../../tensor/shape.js';
import { intsOf, normalizeAxes } from '../_kernels/axes.js';
import { defineOp, type InferInput } from '../op.js';

/** Output coordinate → input coordinate mappings; tf_half_pixel_for_nn is opset 11-17's, kept for old models. */
export const COORDINATE_MODES = [
  'half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize', 'tf_half_pixel_for_nn',
] as const;
export type CoordinateMode = (typeof COORDINATE_MODES)[number];
export const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'] as const;
export type NearestMode = (typeof NEAREST_MODES)[number];

const resizeAttrs = {
  antialias: attr.int(0),
  axes: attr.optional(attr.ints()),
  coordinate_transformation_mode: attr.string<CoordinateMode>('half_pixel', COORDINATE_MODES),
  cubic_coeff_a: attr.float(-0.75),
  exclude_outside: attr.int(0),
  extrapolation_value: attr.float(0),
  keep_aspect_ratio_policy: attr.string('stretch', ['stretch', 'not_larger', 'not_smaller'] as const),
  mode: attr.string('nearest', ['nearest', 'linear', 'cubic'] as const),
  nearest_mode: attr.string<NearestMode>('round_prefer_floor', NEAREST_MODES),
};
export type ResizeAttrs = typeof resizeAttrs;

/** Per input axis: the output length and the scale factor the coordinate mapping uses. */
export interface ResizePlan {
  shape: number[];
  scales: number[];
}

// An input that is present but holds no elements counts as omitted (opset 11 required a placeholder).
const given = (t: InferInput | undefined) => (t && elementCount(t.shape) > 0 ? t.value! : undefined);

/**
 * Output shape and per-axis scales from `scales` (output = floor(input · scale), as the ONNX
 * reference computes it) or `sizes` (scale = output / input; with keep_aspect_ratio_policy one
 * common scale, the min or max over the resized axes, and output = round(input · scale)).
 */
export function resizePlan(shape: readonly number[], inputs: readonly (InferInput | undefined)[], a: {
  axes: number[] | undefined; keep_aspect_ratio_policy: string;
}): ResizePlan {
  const rank = shape.length;
  const axes = a.axes ? normalizeAxes(a.axes, rank) : shape.map((_, i) => i);
  const scalesT = given(inputs[2]);
  const sizesT = given(inputs[3]);
  if (!scalesT === !sizesT) throw new ShapeError('Resize needs exactly one of the scales and sizes inputs');
  const scales = shape.map(() => 1);
  const out = [...shape];
  if (scalesT) {
    const s = scalesT.toNumbers();
    if (s.length !== axes.length) throw new ShapeError(`scales has ${s.length} values for ${axes.length} axes`);
    axes.forEach((ax, i) => {
      if (!(s[i]! > 0)) throw new ShapeError(`scales must be positive, got [${s.join(',')}]`);
      scales[ax] = s[i]!;
      out[ax] = Math.floor(shape[ax]! * s[i]!);
    });
    return { shape: out, scales };
  }
  const sizes = intsOf(sizesT!, 'sizes');
  if (sizes.length !== axes.length) throw new ShapeError(`sizes has ${sizes.length} values for ${axes.length} axes`);
  if (sizes.some((d) => d < 0)) throw new ShapeError(`sizes must not be negative, got [${sizes.join(',')}]`);
  const ratios = axes.map((ax, i) => sizes[i]! / shape[ax]!);
  if (a.keep_aspect_ratio_policy === 'stretch') {
    axes.forEach((ax, i) => {
      scales[ax] = ratios[i]!;
      out[ax] = sizes[i]!;
    });
  } else {
    const common = a.keep_aspect_ratio_policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    for (const ax of axes) {
      scales[ax] = common;
      out[ax] = Math.floor(shape[ax]! * common + 0.5);
    }
  }
  return { shape: out, scales };
}

/** The region of interest per axis as [start, end] (tf_crop_and_resize), default [0, 1]. */
export function roiOf(rank: number, roi: InferInput | undefined, axesAttr: number[] | undefined): [number, number][] {
  const r: [number, number][] = Array.from({ length: rank }, () => [0, 1]);
  const values = given(roi)?.toNumbers();
  if (!values) return r;
  const axes = axesAttr ? axesAttr.map((ax) => normalizeAxis(ax, rank)) : r.map((_, i) => i);
  if (values.length !== 2 * axes.length) throw new ShapeError(`roi has ${values.length} values; ${2 * axes.length} are needed`);
  axes.forEach((ax, i) => (r[ax] = [values[i]!, values[i + axes.length]!]));
  return r;
}

// Y = X resampled on the chosen axes: nearest, (multi)linear or cubic, separable per axis.
export const Resize = defineOp({
  type: 'Resize',
  domain: '',
  attrs: resizeAttrs,
  inputs: [1, 4],
  outputs: [1, 1],
  dtypes: ['float32', 'float16', 'int8', 'uint8', 'int32', 'int64'],
  valueInputs: [2, 3],
  infer: (inputs, attrs) => [{ dtype: inputs[0]!.dtype, shape: resizePlan(inputs[0]!.shape, inputs, attrs).shape }],
});
