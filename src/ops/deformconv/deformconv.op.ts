import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// Deformable convolution (opset 19, 22): Conv whose every kernel tap at output (i, j) reads X
// bilinearly at its regular position plus a learned offset (offset[n, ((g·kH + a)·kW + b)·2 + {0: h,
// 1: w}, i, j] for offset group g), scaled by the optional mask, plus the optional bias B.
// 2-D only (the ONNX reference covers 2-D as well).
export const DeformConv = defineOp({
  type: 'DeformConv',
  domain: '',
  attrs: {
    dilations: attr.optional(attr.ints()),
    group: attr.int(1),
    kernel_shape: attr.optional(attr.ints()),
    offset_group: attr.int(1),
    pads: attr.optional(attr.ints()),
    strides: attr.optional(attr.ints()),
  },
  inputs: [3, 5],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([x, w, offset, b, mask], a) => {
    if (x!.shape.length !== 4) throw new UnsupportedError(`DeformConv takes 2-D input [N, C, H, W], got [${x!.shape.join(',')}]`);
    const [n, c, h, wd] = x!.shape as [number, number, number, number];
    const [oc, icg, kh, kw] = w!.shape as [number, number, number, number];
    const k = a.kernel_shape ?? [kh, kw];
    const d = a.dilations ?? [1, 1];
    const s = a.strides ?? [1, 1];
    const p = a.pads ?? [0, 0, 0, 0];
    if (w!.shape.length !== 4 || icg * a.group !== c || oc % a.group !== 0) throw new ShapeError(`W [${w!.shape.join(',')}] does not fit X [${x!.shape.join(',')}] with group ${a.group}`);
    if (k[0] !== kh || k[1] !== kw) throw new ShapeError(`kernel_shape [${k.join(',')}] differs from W's [${kh},${kw}]`);
    if (c % a.offset_group !== 0) throw new ShapeError(`channels ${c} are not divisible by offset_group ${a.offset_group}`);
    const oh = Math.floor((h + p[0]! + p[2]! - ((kh - 1) * d[0]! + 1)) / s[0]!) + 1;
    const ow = Math.floor((wd + p[1]! + p[3]! - ((kw - 1) * d[1]! + 1)) / s[1]!) + 1;
    const want = [n, a.offset_group * kh * kw * 2, oh, ow];
    if (offset!.shape.join() !== want.join()) throw new ShapeError(`offset must be [${want.join(',')}], got [${offset!.shape.join(',')}]`);
    if (b && (b.shape.length !== 1 || b.shape[0] !== oc)) throw new ShapeError(`B must be [${oc}], got [${b.shape.join(',')}]`);
    const wantMask = [n, a.offset_group * kh * kw, oh, ow];
    if (mask && mask.shape.join() !== wantMask.join()) throw new ShapeError(`mask must be [${wantMask.join(',')}], got [${mask.shape.join(',')}]`);
    return [{ dtype: x!.dtype, shape: [n, oc, oh, ow] }];
  },
});
