import { intsOf, normalizeAxes } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// y = x with size-1 axes inserted; `axes` index the output (rank + len(axes)), in any order.
export const Unsqueeze = defineOp({
  type: 'Unsqueeze',
  domain: '',
  strings: true,
  attrs: {},
  inputs: [2, 2],
  outputs: [1, 1],
  valueInputs: [1],
  infer: ([x, axesIn]) => {
    const axesList = intsOf(axesIn!.value!, 'axes');
    const rank = x!.shape.length + axesList.length;
    const axes = new Set(normalizeAxes(axesList, rank));
    const rest = [...x!.shape];
    const shape = Array.from({ length: rank }, (_, i) => (axes.has(i) ? 1 : rest.shift()!));
    return [{ dtype: x!.dtype, shape }];
  },
});
