// Cast converts x to the element type `to` (an ONNX TensorProto.DataType code); CastLike to the
// dtype of a second input. Types nnrt holds widened (float8, int4, uint16, ...) come out in their
// holding dtype with values rounded onto the type's value set (src/tensor/element-type.ts).
import { UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { elementType, elementTypeName, type ElementType } from '../../tensor/element-type.js';
import { ALL_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

const castAttrs = {
  /** Out-of-range values clamp to ±max instead of becoming inf/NaN (float8 targets). */
  saturate: attr.int(1),
  /** float8e8m0 rounding. */
  round_mode: attr.string('up', ['up', 'down', 'nearest'] as const),
};

/** The element type a Cast's `to` names, or an UnsupportedError. */
export function castTarget(to: number): ElementType {
  const t = elementType(to);
  if (!t) throw new UnsupportedError(`Cast to ${elementTypeName(to)} is not supported`);
  return t;
}

export const Cast = defineOp({
  type: 'Cast', domain: '', strings: true, attrs: { to: attr.int(), ...castAttrs }, inputs: [1, 1], outputs: [1, 1], dtypes: ALL_TYPES,
  infer: ([x], { to }) => [{ dtype: castTarget(to).dtype, shape: [...x!.shape] }],
});

export const CastLike = defineOp({
  type: 'CastLike', domain: '', strings: true, attrs: castAttrs, inputs: [2, 2], outputs: [1, 1], dtypes: ALL_TYPES,
  infer: ([x, like]) => [{ dtype: like!.dtype, shape: [...x!.shape] }],
});
