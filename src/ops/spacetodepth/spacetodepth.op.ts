import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// The inverse of DepthToSpace (DCR): b×b spatial blocks become channels, y[n, (i·b + j)·C + c, h, w] = x[n, c, h·b + i, w·b + j].
export const SpaceToDepth = defineOp({
  type: 'SpaceToDepth',
  domain: '',
  attrs: { blocksize: attr.int() },
  inputs: [1, 1],
  outputs: [1, 1],
  infer: ([x], { blocksize: b }) => {
    const s = x!.shape;
    if (s.length !== 4) throw new ShapeError(`input must be 4-D [N,C,H,W], got [${s.join(',')}]`);
    if (b < 1 || s[2]! % b !== 0 || s[3]! % b !== 0) throw new ShapeError(`spatial dims ${s[2]}×${s[3]} are not divisible by blocksize ${b}`);
    return [{ dtype: x!.dtype, shape: [s[0]!, s[1]! * b * b, s[2]! / b, s[3]! / b] }];
  },
});
