import { defineOp } from '../op.js';

/** Flat positions of x's non-zero elements, in row-major order. */
export function nonZeroPositions(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) out.push(i);
  return out;
}

// y[:, j] = the coordinates of x's j-th non-zero element (row-major order): int64 [rank, count].
// The count depends on x's data, so the shape is known only when the node runs.
export const NonZero = defineOp({
  type: 'NonZero',
  domain: '',
  attrs: {},
  inputs: [1, 1],
  outputs: [1, 1],
  valueInputs: [0],
  dataDependentShape: true,
  infer: ([x]) => [{ dtype: 'int64', shape: [x!.shape.length, nonZeroPositions(x!.value!.numeric()).length] }],
});
