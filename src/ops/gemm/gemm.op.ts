import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { broadcastShapes, sameShape } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// Y[M, N] = alpha · A' · B' + beta · C, where A' = transA ? Aᵀ : A, B' likewise, and C
// (optional) broadcasts to [M, N].
export const Gemm = defineOp({
  type: 'Gemm',
  domain: '',
  attrs: { alpha: attr.float(1), beta: attr.float(1), transA: attr.int(0), transB: attr.int(0) },
  inputs: [2, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([a, b, c], at) => {
    if (a!.shape.length !== 2 || b!.shape.length !== 2) {
      throw new ShapeError(`A and B must be matrices, got [${a!.shape.join(',')}] and [${b!.shape.join(',')}]`);
    }
    if (a!.dtype !== b!.dtype) throw new ShapeError(`B is ${b!.dtype} but A is ${a!.dtype}`);
    const [m, k] = at.transA ? [a!.shape[1]!, a!.shape[0]!] : [a!.shape[0]!, a!.shape[1]!];
    const [kb, n] = at.transB ? [b!.shape[1]!, b!.shape[0]!] : [b!.shape[0]!, b!.shape[1]!];
    if (k !== kb) throw new ShapeError(`inner dims differ: A' is [${m},${k}], B' is [${kb},${n}]`);
    if (c && !sameShape(broadcastShapes(c.shape, [m, n]), [m, n])) {
      throw new ShapeError(`C [${c.shape.join(',')}] does not broadcast to [${m},${n}]`);
    }
    return [{ dtype: a!.dtype, shape: [m, n] }];
  },
});
