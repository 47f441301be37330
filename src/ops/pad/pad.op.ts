import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { intsOf, normalizeAxes } from '../_kernels/axes.js';
import { defineOp, type InferInput } from '../op.js';
import { elementCount } from '../../tensor/shape.js';

export const PAD_MODES = ['constant', 'reflect', 'edge', 'wrap'] as const;

/** Elements added before and after each axis (negative amounts crop). */
export interface PadAmounts {
  begin: number[];
  end: number[];
}

/** Pad amounts per axis from the pads input ([begins..., ends...] over `axes`, default all axes). */
export function padAmounts(shape: readonly number[], inputs: readonly (InferInput | undefined)[]): PadAmounts {
  const rank = shape.length;
  const pads = intsOf(inputs[1]!.value!, 'pads');
  const axes = inputs[3] ? normalizeAxes(intsOf(inputs[3].value!, 'axes'), rank) : shape.map((_, i) => i);
  if (pads.length !== 2 * axes.length) {
    throw new ShapeError(`pads has ${pads.length} values; ${2 * axes.length} are needed (a begin and an end for each of ${axes.length} axes)`);
  }
  const begin = new Array<number>(rank).fill(0);
  const end = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => {
    begin[a] = pads[i]!;
    end[a] = pads[i + axes.length]!;
  });
  return { begin, end };
}

// y = x with `pads` elements added around each axis: a constant, or x mirrored, edge-extended or wrapped.
export const Pad = defineOp({
  type: 'Pad',
  domain: '',
  attrs: { mode: attr.string('constant', PAD_MODES) },
  inputs: [2, 4],
  outputs: [1, 1],
  valueInputs: [1, 3],
  infer: (inputs) => {
    const x = inputs[0]!;
    const value = inputs[2];
    if (value && elementCount(value.shape) !== 1) throw new ShapeError(`constant_value must hold one value, got shape [${value.shape.join(',')}]`);
    const { begin, end } = padAmounts(x.shape, inputs);
    const shape = x.shape.map((d, i) => d + begin[i]! + end[i]!);
    if (shape.some((d) => d < 0)) throw new ShapeError(`pads crop more than the input [${x.shape.join(',')}] holds`);
    return [{ dtype: x.dtype, shape }];
  },
});
