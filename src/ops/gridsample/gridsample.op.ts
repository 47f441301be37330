import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// Y[n, c, o...] = X[n, c] sampled at grid[n, o..., :] (normalized [-1, 1] coordinates, the last
// spatial dim first) by nearest, (multi)linear or cubic interpolation; points outside read zeros,
// the border, or a reflection. Any number of spatial dims (opset 22; 'bilinear'/'bicubic' are
// opset 16's names for linear/cubic).
export const GridSample = defineOp({
  type: 'GridSample',
  domain: '',
  attrs: {
    align_corners: attr.int(0),
    mode: attr.string('linear', ['linear', 'nearest', 'cubic', 'bilinear', 'bicubic'] as const),
    padding_mode: attr.string('zeros', ['zeros', 'border', 'reflection'] as const),
  },
  inputs: [2, 2],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, grid], { mode }) => {
    const r = x!.shape.length - 2;
    const g = grid!.shape;
    if (r < 1) throw new ShapeError(`X must be [N, C, spatial...], got [${x!.shape.join(',')}]`);
    if (g.length !== r + 2 || g[0] !== x!.shape[0] || g[r + 1] !== r) {
      throw new ShapeError(`grid must be [${x!.shape[0]}, out spatial..., ${r}] for X [${x!.shape.join(',')}], got [${g.join(',')}]`);
    }
    if ((mode === 'cubic' || mode === 'bicubic') && r !== 2) throw new ShapeError(`cubic mode takes 2-D input, got ${r} spatial dims`);
    return [{ dtype: x!.dtype, shape: [x!.shape[0]!, x!.shape[1]!, ...g.slice(1, -1)] }];
  },
});
