import { defineOp } from '../op.js';

// DynamicQuantizeLinear (opset 11): quantizes x to uint8 with a scale and zero point computed
// from x's own range, widened to include 0:
//   scale = (max(0, max x) − min(0, min x)) / 255 (1/255 when the range is empty),
//   zero_point = round(clamp(−min / scale, 0, 255)), y = clamp(round(x / scale) + zero_point, 0, 255),
// rounding half to even, all in float32.
export const DynamicQuantizeLinear = defineOp({
  type: 'DynamicQuantizeLinear',
  domain: '',
  attrs: {},
  inputs: [1, 1],
  outputs: [1, 3],
  dtypes: ['float32'],
  infer: ([x]) => [
    { dtype: 'uint8', shape: [...x!.shape] },
    { dtype: 'float32', shape: [] },
    { dtype: 'uint8', shape: [] },
  ],
});
