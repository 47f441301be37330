import { ShapeError } from '../../errors.js';
import { defineOp, type InferInput } from '../op.js';
import { intsOf, normalizeAxes } from '../_kernels/axes.js';

export interface SliceRange {
  start: number;
  step: number;
  count: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/**
 * Per input axis: the first index, step and element count of the slice. Negative starts/ends
 * count from the end; out-of-range ones are clamped ([0, dim] going forward, [-1, dim-1] back).
 */
export function sliceRanges(shape: readonly number[], starts: number[], ends: number[], axesIn?: number[], stepsIn?: number[]): SliceRange[] {
  const axes = normalizeAxes(axesIn ?? starts.map((_, i) => i), shape.length);
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new ShapeError(`starts, ends, axes and steps must have the same length (${starts.length}, ${ends.length}, ${axes.length}, ${steps.length})`);
  }
  const ranges = shape.map((dim) => ({ start: 0, step: 1, count: dim }));
  axes.forEach((axis, i) => {
    const dim = shape[axis]!;
    const step = steps[i]!;
    if (step === 0) throw new ShapeError(`step for axis ${axis} is 0`);
    let start = starts[i]! < 0 ? starts[i]! + dim : starts[i]!;
    let end = ends[i]! < 0 ? ends[i]! + dim : ends[i]!;
    if (step > 0) {
      start = clamp(start, 0, dim);
      end = clamp(end, 0, dim);
    } else {
      start = clamp(start, 0, dim - 1);
      end = clamp(end, -1, dim - 1);
    }
    ranges[axis] = { start, step, count: Math.max(0, Math.ceil((end - start) / step)) };
  });
  return ranges;
}

/** The slice ranges from the node's inputs (starts, ends, axes?, steps?). */
export function sliceRangesOf(shape: readonly number[], inputs: readonly (InferInput | undefined)[]): SliceRange[] {
  const ints = (k: number, what: string) => (inputs[k] ? intsOf(inputs[k]!.value!, what) : undefined);
  return sliceRanges(shape, ints(1, 'starts')!, ints(2, 'ends')!, ints(3, 'axes'), ints(4, 'steps'));
}

// y = x[start:end:step] on the listed axes (numpy basic slicing).
export const Slice = defineOp({
  type: 'Slice',
  domain: '',
  attrs: {},
  inputs: [3, 5],
  outputs: [1, 1],
  valueInputs: [1, 2, 3, 4],
  infer: (inputs) => [{ dtype: inputs[0]!.dtype, shape: sliceRangesOf(inputs[0]!.shape, inputs).map((r) => r.count) }],
});
