import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { sizeOf } from '../../tensor/shape.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

export interface Col2ImGeometry { image: number[]; block: number[]; dilations: number[]; pads: number[]; strides: number[]; blocks: number[] }

/** Image and block shapes with defaults filled, and the count of sliding blocks per spatial dim. */
export function col2imGeometry(image: number[], block: number[], a: { dilations?: number[]; pads?: number[]; strides?: number[] }): Col2ImGeometry {
  const r = image.length;
  const dilations = a.dilations ?? new Array<number>(r).fill(1);
  const pads = a.pads ?? new Array<number>(2 * r).fill(0);
  const strides = a.strides ?? new Array<number>(r).fill(1);
  const blocks = image.map((d, i) => Math.floor((d + pads[i]! + pads[i + r]! - dilations[i]! * (block[i]! - 1) - 1) / strides[i]!) + 1);
  return { image, block, dilations, pads, strides, blocks };
}

// The inverse of im2col: input [N, C·∏block, L] holds one column per sliding block position;
// y [N, C, ...image_shape] sums every column entry into the image pixel it came from (opset 18).
export const Col2Im = defineOp({
  type: 'Col2Im',
  domain: '',
  attrs: { dilations: attr.optional(attr.ints()), pads: attr.optional(attr.ints()), strides: attr.optional(attr.ints()) },
  inputs: [3, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  valueInputs: [1, 2],
  infer: ([x, imageIn, blockIn], attrs) => {
    const image = intsOf(imageIn!.value!, 'image_shape');
    const block = intsOf(blockIn!.value!, 'block_shape');
    if (block.length !== image.length) throw new ShapeError(`block_shape [${block.join(',')}] and image_shape [${image.join(',')}] differ in length`);
    const g = col2imGeometry(image, block, attrs);
    const [n, cb, l] = x!.shape as [number, number, number];
    const k = sizeOf(block);
    if (x!.shape.length !== 3 || cb % k !== 0) throw new ShapeError(`input must be [N, C·${k}, L], got [${x!.shape.join(',')}]`);
    if (l !== sizeOf(g.blocks) || g.blocks.some((b) => b < 1)) {
      throw new ShapeError(`input holds ${l} blocks; image_shape, block_shape and the attributes give [${g.blocks.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: [n, cb / k, ...image] }];
  },
});
