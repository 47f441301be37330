// The operands copied into plain matmul order, MatMul's reference kernel in float32, alpha applied,
// one rounding to the output type.
import type { Tensor } from '../../tensor/tensor.js';
import { floatResult } from '../_kernels/float.js';
import { permutedIndices, takeElements } from '../_kernels/index-map.js';
import { matmulCpu } from '../matmul/matmul.cpu.js';
import type { CpuKernel } from '../op.js';
import { fusedMatMulPerm, type FusedMatMul } from './ms-fusedmatmul.op.js';

/** x with its axes in `perm` order (x itself when the order is unchanged). */
function reordered(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.every((p, i) => p === i)) return x;
  return takeElements(x, perm.map((p) => x.shape[p]!), permutedIndices(x.shape, perm));
}

export const fusedMatMulCpu: CpuKernel<typeof FusedMatMul.attrs> = ([a, b], at, [out]) => {
  const a2 = reordered(a!, fusedMatMulPerm(a!.rank, at.transA, at.transBatchA));
  const b2 = reordered(b!, fusedMatMulPerm(b!.rank, at.transB, at.transBatchB));
  const [product] = matmulCpu([a2, b2], {}, [{ dtype: 'float32', shape: out!.shape }]);
  const Y = product!.data as Float32Array; // matmulCpu's own float32 buffer
  if (at.alpha !== 1) for (let i = 0; i < Y.length; i++) Y[i] = at.alpha * Y[i]!;
  return [floatResult(out!.dtype, out!.shape, Y)];
};
