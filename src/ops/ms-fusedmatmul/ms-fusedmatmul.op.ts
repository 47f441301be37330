import { attr } from '../../ir/attr.js';
import { MatMul } from '../matmul/matmul.op.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput } from '../op.js';

/**
 * The axes of an operand of rank ≥ 2 in plain matmul order [batch…, rows, cols]: transBatch moves
 * the first dim into the matrix (the batch dims are 1…r−2, the matrix dims 0 and r−1), and trans
 * swaps the two matrix dims. A 1-D operand is never transposed.
 */
export function fusedMatMulPerm(rank: number, trans: number, transBatch: number): number[] {
  if (rank < 2) return Array.from({ length: rank }, (_, i) => i);
  const batch = transBatch ? Array.from({ length: rank - 2 }, (_, i) => i + 1) : Array.from({ length: rank - 2 }, (_, i) => i);
  const matrix = transBatch ? [0, rank - 1] : [rank - 2, rank - 1];
  return [...batch, ...(trans ? [matrix[1]!, matrix[0]!] : matrix)];
}

// Y = alpha · matmul(A', B') with numpy matmul's broadcasting, A' and B' the operands reordered by
// transA / transBatchA and transB / transBatchB (see fusedMatMulPerm). onnxruntime's optimizer
// writes it for Transpose → MatMul and MatMul → Mul-by-scalar.
export const FusedMatMul = defineOp({
  type: 'FusedMatMul',
  domain: MS_DOMAIN,
  attrs: { alpha: attr.float(1), transA: attr.int(0), transB: attr.int(0), transBatchA: attr.int(0), transBatchB: attr.int(0) },
  inputs: [2, 2],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([a, b], at) => {
    const reorder = (x: InferInput, trans: number, transBatch: number): InferInput =>
      ({ dtype: x.dtype, shape: fusedMatMulPerm(x.shape.length, trans, transBatch).map((p) => x.shape[p]!) });
    return MatMul.infer([reorder(a!, at.transA, at.transBatchA), reorder(b!, at.transB, at.transBatchB)], {}, 1);
  },
});
