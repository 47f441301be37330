import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

/**
 * The part sizes along the axis: the `split` input, else `num_outputs` parts of ceil(dim / n)
 * with a smaller last part (opset 18). The importer sets num_outputs for older forms.
 */
export function splitSizes(dim: number, split: number[] | undefined, numOutputs: number | undefined, outputCount: number): number[] {
  if (split) {
    if (numOutputs !== undefined) throw new ShapeError('give either the split input or num_outputs, not both');
    if (split.length !== outputCount) throw new ShapeError(`split [${split.join(',')}] has ${split.length} parts for ${outputCount} outputs`);
    if (split.some((s) => s < 0) || split.reduce((a, b) => a + b, 0) !== dim) {
      throw new ShapeError(`split [${split.join(',')}] does not add up to the dim ${dim}`);
    }
    return split;
  }
  if (numOutputs === undefined) throw new ShapeError('Split needs the split input or the num_outputs attribute');
  if (numOutputs !== outputCount) throw new ShapeError(`num_outputs is ${numOutputs} but the node has ${outputCount} outputs`);
  if (numOutputs < 1) throw new ShapeError(`num_outputs must be at least 1, got ${numOutputs}`);
  const part = Math.ceil(dim / numOutputs);
  return Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(part, dim - i * part)));
}

// outputs = consecutive parts of x along `axis`.
export const Split = defineOp({
  type: 'Split',
  domain: '',
  attrs: { axis: attr.int(0), num_outputs: attr.optional(attr.int()) },
  inputs: [1, 2],
  outputs: [1, Infinity],
  valueInputs: [1],
  infer: ([x, split], { axis, num_outputs }, outputCount) => {
    const a = normalizeAxis(axis, x!.shape.length);
    const sizes = splitSizes(x!.shape[a]!, split && intsOf(split.value!, 'split'), num_outputs, outputCount);
    return sizes.map((s) => ({ dtype: x!.dtype, shape: x!.shape.map((d, k) => (k === a ? s : d)) }));
  },
});
