import { attr } from '../../ir/attr.js';
import { DTYPES } from '../../tensor/dtype.js';
import { intsOf, normalizeAxes } from '../_kernels/axes.js';
import { defineOp, type InferInput, type OpDef } from '../op.js';

const reduceAttrs = { keepdims: attr.int(1), noop_with_empty_axes: attr.int(0) };
export type ReduceAttrs = typeof reduceAttrs;

/**
 * The reduced axes: the `axes` input (opset 18 form), or every axis when it is absent or empty —
 * unless noop_with_empty_axes, where no axis is reduced and the op is an identity.
 */
export function reducedAxes(shape: readonly number[], axesIn: InferInput | undefined, noopWithEmptyAxes: number): number[] {
  const axes = axesIn ? intsOf(axesIn.value!, 'axes') : [];
  if (axes.length === 0) return noopWithEmptyAxes ? [] : shape.map((_, i) => i);
  return normalizeAxes(axes, shape.length);
}

function defineReduce(type: string, dtypes: OpDef['dtypes']): OpDef<ReduceAttrs> {
  return defineOp({
    type,
    domain: '',
    attrs: reduceAttrs,
    inputs: [1, 2],
    outputs: [1, 1],
    dtypes,
    valueInputs: [1],
    infer: ([x, axesIn], { keepdims, noop_with_empty_axes }) => {
      const axes = reducedAxes(x!.shape, axesIn, noop_with_empty_axes);
      const shape = keepdims ? x!.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x!.shape.filter((_, i) => !axes.includes(i));
      return [{ dtype: x!.dtype, shape }];
    },
  });
}

export const REDUCE_TYPES = [
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd',
  'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp',
] as const;
export type ReduceType = (typeof REDUCE_TYPES)[number];

// Reductions over the listed axes: y = f(x[...]) per kept index. Max and Min also take bool (opset 20).
export const REDUCE_OPS = Object.fromEntries(
  REDUCE_TYPES.map((t) => [t, defineReduce(t, t === 'ReduceMax' || t === 'ReduceMin' ? DTYPES : DTYPES.filter((d) => d !== 'bool'))]),
) as Record<ReduceType, OpDef<ReduceAttrs>>;
