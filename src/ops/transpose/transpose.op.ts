import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

/** The permutation: `perm` when given (checked), else the axes reversed. */
export function permutation(perm: number[] | undefined, rank: number): number[] {
  if (!perm) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw new ShapeError(`perm [${perm.join(',')}] is not a permutation of the ${rank} axes`);
  }
  return perm;
}

// y[i0, i1, ...] = x at the indices permuted: output axis k is input axis perm[k].
export const Transpose = defineOp({
  type: 'Transpose',
  domain: '',
  attrs: { perm: attr.optional(attr.ints()) },
  inputs: [1, 1],
  outputs: [1, 1],
  infer: ([x], { perm }) => [{ dtype: x!.dtype, shape: permutation(perm, x!.shape.length).map((p) => x!.shape[p]!) }],
});
