import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// Y[r, c] = X[batch_indices[r], c] averaged (or max-pooled) over an output_height × output_width
// grid of bins inside roi r = [x1, y1, x2, y2]·spatial_scale, each bin sampled bilinearly at
// sampling_ratio² points (adaptive when 0). half_pixel shifts coordinates by -0.5 (opset 16, 22).
export const RoiAlign = defineOp({
  type: 'RoiAlign',
  domain: '',
  attrs: {
    coordinate_transformation_mode: attr.string('half_pixel', ['half_pixel', 'output_half_pixel'] as const),
    mode: attr.string('avg', ['avg', 'max'] as const),
    output_height: attr.int(1),
    output_width: attr.int(1),
    sampling_ratio: attr.int(0),
    spatial_scale: attr.float(1),
  },
  inputs: [3, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, rois, batchIndices], { output_height, output_width }) => {
    if (x!.shape.length !== 4) throw new ShapeError(`X must be [N, C, H, W], got [${x!.shape.join(',')}]`);
    const n = rois!.shape[0]!;
    if (rois!.shape.length !== 2 || rois!.shape[1] !== 4) throw new ShapeError(`rois must be [num_rois, 4], got [${rois!.shape.join(',')}]`);
    if (batchIndices!.shape.length !== 1 || batchIndices!.shape[0] !== n) throw new ShapeError(`batch_indices must be [${n}], got [${batchIndices!.shape.join(',')}]`);
    if (output_height < 1 || output_width < 1) throw new ShapeError(`output_height and output_width must be ≥ 1`);
    return [{ dtype: x!.dtype, shape: [n, x!.shape[1]!, output_height, output_width] }];
  },
});
