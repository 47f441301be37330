import { ShapeError } from '../../errors.js';
import { defineOp, type InferInput, type TensorType } from '../op.js';

/** [N, C, D1…Dr] → [N, C, 1…1] (shared by the global pools). */
export function globalPoolType([x]: readonly (InferInput | undefined)[]): TensorType[] {
  if (x!.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x!.shape.join(',')}]`);
  return [{ dtype: x!.dtype, shape: [x!.shape[0]!, x!.shape[1]!, ...x!.shape.slice(2).map(() => 1)] }];
}

// Y[n, c] = mean of X[n, c, …] over all spatial positions.
export const GlobalAveragePool = defineOp({
  type: 'GlobalAveragePool',
  domain: '',
  attrs: {},
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: globalPoolType,
});
