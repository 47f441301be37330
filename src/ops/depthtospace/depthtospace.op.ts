import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// y[n, c, h·b + i, w·b + j] = x[n, channel(c, i, j), h, w]: channel blocks moved into space.
// DCR reads channel (i·b + j)·C' + c; CRD reads (c·b + i)·b + j  (C' = C / b²).
export const DepthToSpace = defineOp({
  type: 'DepthToSpace',
  domain: '',
  attrs: { blocksize: attr.int(), mode: attr.string('DCR', ['DCR', 'CRD'] as const) },
  inputs: [1, 1],
  outputs: [1, 1],
  infer: ([x], { blocksize: b }) => {
    const s = x!.shape;
    if (s.length !== 4) throw new ShapeError(`input must be 4-D [N,C,H,W], got [${s.join(',')}]`);
    if (b < 1 || s[1]! % (b * b) !== 0) throw new ShapeError(`channels ${s[1]} are not divisible by blocksize² (${b}²)`);
    return [{ dtype: x!.dtype, shape: [s[0]!, s[1]! / (b * b), s[2]! * b, s[3]! * b] }];
  },
});
