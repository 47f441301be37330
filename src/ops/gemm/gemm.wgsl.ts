import { gemmProgram } from '../../devices/webgpu/gemm.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { storage, Uniforms } from '../../devices/webgpu/shader.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import { blockSpans, oversizedConstant } from '../../devices/webgpu/weight-blocks.js';
import { broadcastStrides } from '../../tensor/shape.js';
import type { InferInput, TensorType } from '../../tensor/tensor-type.js';
import { sliceAxis } from '../_kernels/pieces.js';
import type { Gemm } from './gemm.op.js';

type GemmAttrs = { alpha: number; beta: number; transA: number; transB: number };

// Y = alpha · A' · B' + beta · C on the tiled GEMM; transposes are read in place, C through its
// broadcast strides. The transposes and C's presence are in the key; alpha and beta are uniforms.
// A constant B over the storage binding limit is cut into blocks of output columns (columns of B,
// or rows when transposed): one dispatch per block, each writing its columns of Y.
export const gemmWgsl: GpuKernel<typeof Gemm.attrs> = ([a, b, c], at, [out], caps) => {
  const [m, n] = out!.shape as [number, number];
  const k = at.transA ? a!.shape[0]! : a!.shape[1]!;
  const big = oversizedConstant(b, caps);
  if (!big) return { programs: [gemmBlock(at, m, n, k, c, out!, { input: 1 })] };
  const spans = blockSpans(n, k, caps, 'column of B');
  if (typeof spans === 'string') return spans;
  return {
    programs: spans.map((s, j) => gemmBlock(at, m, s.len, k, c, out!, { constant: j }, { n0: s.start, nFull: n })),
    constants: spans.map((s) => sliceAxis(big, at.transB ? 0 : 1, s.start, s.len)),
  };
};

/** Columns n0..n0+n of Y (all of them without `cols`) from B or its block. */
function gemmBlock(at: GemmAttrs, m: number, n: number, k: number, c: InferInput | undefined, out: TensorType, bRef: BufferRef, cols?: { n0: number; nFull: number }): Program {
  const u = new Uniforms().add('mnk', 'u32', [m, n, k]).add('ab', 'f32', [at.alpha, at.beta]);
  if (c) u.add('cStride', 'u32', broadcastStrides(c.shape, [m, cols?.nFull ?? n]));
  if (cols) u.add('cols', 'u32', [cols.nFull, cols.n0]);
  const M = u.at('mnk', 0);
  const N = u.at('mnk', 1);
  const K = u.at('mnk', 2);
  // Y's row length and the block's first column (the whole of Y when B is not cut)
  const [NY, col] = cols ? [u.at('cols', 0), `(${u.at('cols', 1)} + n)`] : [N, 'n'];
  const cTerm = c ? ` + ${u.at('ab', 1)} * C[m * ${u.at('cStride', 0)} + ${col} * ${u.at('cStride', 1)}]` : '';
  return gemmProgram({
    key: `gemm:tA${at.transA}:tB${at.transB}:c${c ? 1 : 0}:${out.dtype}${cols ? ':cols' : ''}`,
    decls: storage(0, 'A', 'f32', 'read') + storage(1, 'B', 'f32', 'read') + (c ? storage(2, 'C', 'f32', 'read') : '') +
      storage(c ? 3 : 2, 'Y', 'f32', 'read_write'),
    bindings: [{ input: 0 }, bRef, ...(c ? [{ input: 2 }] : []), { output: 0 }],
    uniforms: u,
    M, N, K,
    loadA: at.transA ? `return A[k * ${M} + m];` : `return A[m * ${K} + k];`,
    loadB: at.transB ? `return B[n * ${K} + k];` : `return B[k * ${N} + n];`,
    store: `Y[m * ${NY} + ${col}] = ${narrow(`${u.at('ab', 0)} * v${cTerm}`, out.dtype)};`,
    batches: 1, m, n,
  });
}
