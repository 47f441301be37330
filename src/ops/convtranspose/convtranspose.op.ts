import { ShapeError } from '../../errors.js';
import { attr, type AttrsOf } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { windowAttrs, windowOf, type Window } from '../_kernels/window.js';

const attrs = {
  ...windowAttrs,
  group: attr.int(1),
  kernel_shape: attr.optional(attr.ints()),
  output_padding: attr.optional(attr.ints()),
  output_shape: attr.optional(attr.ints()),
};

// The adjoint of Conv: X [N, C, D1…Dr], W [C, M/group, k1…kr], B [M]; Y [N, M, O1…Or] with
// O = stride·(D − 1) + output_padding + (k − 1)·dilation + 1 − pad_begin − pad_end.
export const ConvTranspose = defineOp({
  type: 'ConvTranspose',
  domain: '',
  attrs,
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, w, b], a) => {
    const { outSpatial, outChannels } = convTransposeGeometry(x!.shape, w!.shape, a);
    if (x!.dtype !== w!.dtype) throw new ShapeError(`W is ${w!.dtype} but X is ${x!.dtype}`);
    if (b && (b.shape.length !== 1 || b.shape[0] !== outChannels)) {
      throw new ShapeError(`B must have shape [${outChannels}], got [${b.shape.join(',')}]`);
    }
    return [{ dtype: x!.dtype, shape: [x!.shape[0]!, outChannels, ...outSpatial] }];
  },
});

export interface ConvTransposeGeometry {
  window: Window;
  outChannels: number;
  outSpatial: number[];
  /** Begin/end pads ([begin…, end…]) after auto_pad and output_shape are applied. */
  pads: number[];
}

/** Output dims and effective pads: explicit pads, or pads derived from output_shape / auto_pad. */
export function convTransposeGeometry(x: readonly number[], w: readonly number[], a: AttrsOf<typeof attrs>): ConvTransposeGeometry {
  if (x.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x.join(',')}]`);
  if (w.length !== x.length) throw new ShapeError(`W [${w.join(',')}] must have the rank of X [${x.join(',')}]`);
  const g = a.group;
  if (g < 1 || x[1]! % g !== 0) throw new ShapeError(`group ${g} must divide input channels ${x[1]}`);
  if (w[0] !== x[1]) throw new ShapeError(`W has ${w[0]} input channels; X has ${x[1]}`);
  const kernel = w.slice(2);
  if (a.kernel_shape && a.kernel_shape.join(',') !== kernel.join(',')) {
    throw new ShapeError(`kernel_shape [${a.kernel_shape.join(',')}] does not match W's spatial dims [${kernel.join(',')}]`);
  }
  const window = windowOf(a, kernel);
  const input = x.slice(2);
  const r = input.length;
  const outPad = a.output_padding ?? new Array<number>(r).fill(0);
  if (outPad.length !== r) throw new ShapeError(`output_padding has ${outPad.length} values; ${r} expected`);
  // The output size with no padding at all; padding then trims it.
  const full = input.map((d, i) => window.strides[i]! * (d - 1) + outPad[i]! + (kernel[i]! - 1) * window.dilations[i]! + 1);
  let outSpatial: number[];
  let pads: number[];
  const same = window.autoPad === 'SAME_UPPER' || window.autoPad === 'SAME_LOWER';
  if (a.output_shape || same) {
    if (a.output_shape) {
      const os = a.output_shape.length === r + 2 ? a.output_shape.slice(2) : a.output_shape;
      if (os.length !== r) throw new ShapeError(`output_shape has ${a.output_shape.length} values; ${r} spatial dims expected`);
      outSpatial = [...os];
    } else {
      outSpatial = input.map((d, i) => d * window.strides[i]!);
    }
    pads = new Array<number>(2 * r);
    outSpatial.forEach((o, i) => {
      if (o < 1) throw new ShapeError(`output_shape [${outSpatial.join(',')}] must be positive`);
      // A negative total (output_shape larger than the full result) extends the output with bias only.
      const total = full[i]! - o;
      const half = Math.floor(total / 2);
      // SAME_UPPER puts the odd extra pad at the end, otherwise at the beginning.
      pads[i] = window.autoPad === 'SAME_UPPER' ? half : total - half;
      pads[i + r] = total - pads[i]!;
    });
  } else {
    pads = window.autoPad === 'VALID' ? new Array<number>(2 * r).fill(0) : window.pads;
    outSpatial = full.map((f, i) => f - pads[i]! - pads[i + r]!);
    if (outSpatial.some((o) => o < 1)) throw new ShapeError(`pads [${pads.join(',')}] leave an empty output`);
  }
  return { window, outChannels: w[1]! * g, outSpatial, pads };
}
