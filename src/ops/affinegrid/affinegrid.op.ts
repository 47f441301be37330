import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

// grid[n, (d,) h, w] = theta[n] · [x_w, y_h, (z_d,) 1]: the sampling grid of a 2-D (theta [N,2,3])
// or 3-D (theta [N,3,4]) affine transform over normalized coordinates in [-1, 1], for
// GridSample; size is [N, C, (D,) H, W] (opset 20).
export const AffineGrid = defineOp({
  type: 'AffineGrid',
  domain: '',
  attrs: { align_corners: attr.int(0) },
  inputs: [2, 2],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  valueInputs: [1],
  infer: ([theta, sizeIn]) => {
    const size = intsOf(sizeIn!.value!, 'size');
    const r = size.length - 2;
    if (r !== 2 && r !== 3) throw new ShapeError(`size must be [N, C, H, W] or [N, C, D, H, W], got [${size.join(',')}]`);
    const t = theta!.shape;
    if (t.length !== 3 || t[0] !== size[0] || t[1] !== r || t[2] !== r + 1) {
      throw new ShapeError(`theta must be [${size[0]}, ${r}, ${r + 1}] for size [${size.join(',')}], got [${t.join(',')}]`);
    }
    return [{ dtype: theta!.dtype, shape: [size[0]!, ...size.slice(2), r] }];
  },
});
