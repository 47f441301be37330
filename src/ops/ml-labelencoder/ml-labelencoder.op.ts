import { UnsupportedError } from '../../errors.js';
import { attr, type AttrsOf } from '../../ir/attr.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';

const attrs = {
  keys_floats: attr.optional(attr.floats()),
  keys_int64s: attr.optional(attr.ints()),
  keys_strings: attr.optional(attr.strings()),
  keys_tensor: attr.optional(attr.tensor()),
  values_floats: attr.optional(attr.floats()),
  values_int64s: attr.optional(attr.ints()),
  values_strings: attr.optional(attr.strings()),
  values_tensor: attr.optional(attr.tensor()),
  default_float: attr.float(-0),
  default_int64: attr.int(-1),
  default_string: attr.string('_Unused'),
  default_tensor: attr.optional(attr.tensor()),
};
export type LabelEncoderAttrs = AttrsOf<typeof attrs>;

/** One side of the map (keys or values): its dtype and entries, from whichever attribute is set. */
export interface LabelList {
  dtype: DType;
  entries: readonly (string | number | bigint)[];
}

function entriesOf(t: Tensor): (string | number | bigint)[] {
  return t.dtype === 'string' ? [...(t.data as string[])] : t.dtype === 'int64' ? [...(t.data as BigInt64Array)] : Array.from(t.numeric());
}

export function labelList(a: LabelEncoderAttrs, side: 'keys' | 'values'): LabelList {
  const candidates: (LabelList | undefined)[] = [
    a[`${side}_floats`] && { dtype: 'float32' as DType, entries: a[`${side}_floats`]! },
    a[`${side}_int64s`] && { dtype: 'int64' as DType, entries: a[`${side}_int64s`]!.map((v) => BigInt(v)) },
    a[`${side}_strings`] && { dtype: 'string' as DType, entries: a[`${side}_strings`]! },
    a[`${side}_tensor`] && { dtype: a[`${side}_tensor`]!.dtype, entries: entriesOf(a[`${side}_tensor`]!) },
  ];
  const set = candidates.filter((x): x is LabelList => !!x);
  if (set.length !== 1) throw new UnsupportedError(`LabelEncoder needs exactly one ${side}_* attribute, got ${set.length}`);
  return set[0]!;
}

// ai.onnx.ml LabelEncoder (opsets 2-4): maps each element through keys → values; elements not
// among the keys take the default of the values' type. Output has the input's shape.
export const LabelEncoder = defineOp({
  type: 'LabelEncoder',
  domain: ML_DOMAIN,
  attrs,
  inputs: [1, 1],
  outputs: [1, 1],
  strings: true,
  infer: ([x], a) => {
    const keys = labelList(a, 'keys');
    const values = labelList(a, 'values');
    if (keys.entries.length !== values.entries.length) {
      throw new UnsupportedError(`LabelEncoder has ${keys.entries.length} keys but ${values.entries.length} values`);
    }
    if (keys.dtype !== x!.dtype) throw new UnsupportedError(`the input is ${x!.dtype} but the keys are ${keys.dtype}`);
    return [{ dtype: values.dtype, shape: [...x!.shape] }];
  },
});
