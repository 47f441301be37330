import { ShapeError } from '../../errors.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// numpy matmul: [..., M, K] × [..., K, N] → [broadcast(...), M, N]; a 1-D A is a row [1, K] and a
// 1-D B a column [K, 1], and that dim is dropped from the result.
export const MatMul = defineOp({
  type: 'MatMul',
  domain: '',
  attrs: {},
  inputs: [2, 2],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([a, b]) => {
    if (a!.dtype !== b!.dtype) throw new ShapeError(`B is ${b!.dtype} but A is ${a!.dtype}`);
    const { batch, m, n } = matmulGeometry(a!.shape, b!.shape);
    const shape = [...batch];
    if (a!.shape.length > 1) shape.push(m);
    if (b!.shape.length > 1) shape.push(n);
    return [{ dtype: a!.dtype, shape }];
  },
});

export interface MatMulGeometry {
  /** The broadcast batch dims. */
  batch: number[];
  m: number;
  k: number;
  n: number;
}

export function matmulGeometry(a: readonly number[], b: readonly number[]): MatMulGeometry {
  if (a.length === 0 || b.length === 0) throw new ShapeError('MatMul operands must have rank ≥ 1 (scalars are not allowed)');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k = a2[a2.length - 1]!;
  if (b2[b2.length - 2] !== k) {
    throw new ShapeError(`inner dims differ: A [${a.join(',')}] has K=${k}, B [${b.join(',')}] has K=${b2[b2.length - 2]}`);
  }
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  return { batch, m: a2[a2.length - 2]!, k, n: b2[b2.length - 1]! };
}
