import { attr } from '../../ir/attr.js';
import { DTYPES } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { defineOp, type InferInput, type TensorType } from '../op.js';

const argAttrs = { axis: attr.int(0), keepdims: attr.int(1), select_last_index: attr.int(0) };

const indexType = ([x]: readonly (InferInput | undefined)[], { axis, keepdims }: { axis: number; keepdims: number }): TensorType[] => {
  const a = normalizeAxis(axis, x!.shape.length);
  const shape = keepdims ? x!.shape.map((d, i) => (i === a ? 1 : d)) : x!.shape.filter((_, i) => i !== a);
  return [{ dtype: 'int64', shape }];
};

const NUMERIC = DTYPES.filter((d) => d !== 'bool');

// y = int64 index of the largest element along `axis` (first on ties, last with select_last_index).
export const ArgMax = defineOp({ type: 'ArgMax', domain: '', attrs: argAttrs, inputs: [1, 1], outputs: [1, 1], dtypes: NUMERIC, infer: indexType });

// y = int64 index of the smallest element along `axis` (first on ties, last with select_last_index).
export const ArgMin = defineOp({ type: 'ArgMin', domain: '', attrs: argAttrs, inputs: [1, 1], outputs: [1, 1], dtypes: NUMERIC, infer: indexType });
