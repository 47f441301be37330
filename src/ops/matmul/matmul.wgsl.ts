import { gemmProgram } from '../../devices/webgpu/gemm.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { coordsOf, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import { blockSpans, oversizedConstant } from '../../devices/webgpu/weight-blocks.js';
import { broadcastStrides } from '../../tensor/shape.js';
import type { DType } from '../../tensor/dtype.js';
import { sliceAxis } from '../_kernels/pieces.js';
import { matmulGeometry, type MatMul } from './matmul.op.js';

// Batched numpy matmul on the tiled GEMM: workgroup z walks the broadcast batch; each operand's
// batch offset comes from its broadcast batch strides (0 on broadcast dims). A constant B over the
// storage binding limit is cut into column blocks (weight-blocks.ts): one dispatch per block, each
// writing its columns of Y.
export const matmulWgsl: GpuKernel<typeof MatMul.attrs> = ([a, b], _attrs, [out], caps) => {
  const { batch, n } = matmulGeometry(a!.shape, b!.shape);
  const batches = batch.reduce((x, d) => x * d, 1);
  if (batches > 65535) return `${batches} batches exceed one dispatch dimension`;
  const big = oversizedConstant(b, caps);
  if (!big) return { programs: [matmulProgram(a!.shape, b!.shape, out!.dtype, { input: 1 })] };
  if (b!.shape.length < 2) return `B '${b!.shape.join('×')}' is over the storage binding limit and has no columns to cut it into`;
  const rankB = b!.shape.length;
  const spans = blockSpans(n, b!.shape.slice(0, -1).reduce((x, d) => x * d, 1), caps, 'column of B');
  if (typeof spans === 'string') return spans;
  return {
    programs: spans.map((s, j) => matmulProgram(a!.shape, [...b!.shape.slice(0, -1), s.len], out!.dtype, { constant: j }, { n0: s.start, nFull: n })),
    constants: spans.map((s) => sliceAxis(big, rankB - 1, s.start, s.len)),
  };
};

/** The product of A with B (or a column block of B: then `cols` places it in Y's columns n0..). */
function matmulProgram(aShape: readonly number[], bShape: readonly number[], dtype: DType, bRef: BufferRef, cols?: { n0: number; nFull: number }): Program {
  const { batch, m, k, n } = matmulGeometry(aShape, bShape);
  const batches = batch.reduce((x, d) => x * d, 1);
  const rank = batch.length;
  const aBatch = (aShape.length === 1 ? [] : aShape.slice(0, -2));
  const bBatch = (bShape.length === 1 ? [] : bShape.slice(0, -2));
  const u = new Uniforms().add('mnk', 'u32', [m, n, k]);
  if (cols) u.add('cols', 'u32', [cols.nFull, cols.n0]);
  if (rank > 0) {
    u.add('batch', 'u32', batch)
      .add('aStride', 'u32', broadcastStrides(aBatch, batch).map((s) => s * m * k))
      .add('bStride', 'u32', broadcastStrides(bBatch, batch).map((s) => s * k * n));
  }
  const prologue = rank === 0 ? '' : `${coordsOf(u, 'batch', rank, 'batch', 'c')}
  aBase = ${Array.from({ length: rank }, (_, d) => `c${d} * ${u.at('aStride', d)}`).join(' + ')};
  bBase = ${Array.from({ length: rank }, (_, d) => `c${d} * ${u.at('bStride', d)}`).join(' + ')};`;
  const M = u.at('mnk', 0);
  const N = u.at('mnk', 1);
  const K = u.at('mnk', 2);
  // Y's row length and the block's first column (the whole of Y when B is not cut)
  const [NY, N0] = cols ? [u.at('cols', 0), u.at('cols', 1)] : [N, ''];
  return gemmProgram({
    key: `matmul:r${rank}:${dtype}${cols ? ':cols' : ''}`,
    decls: storage(0, 'A', 'f32', 'read') + storage(1, 'B', 'f32', 'read') + storage(2, 'Y', 'f32', 'read_write'),
    bindings: [{ input: 0 }, bRef, { output: 0 }],
    uniforms: u,
    globals: 'var<private> aBase: u32 = 0u;\nvar<private> bBase: u32 = 0u;\nvar<private> yBase: u32 = 0u;',
    prologue: `${prologue}\n  yBase = batch * ${M} * ${NY};`,
    M, N, K,
    loadA: `return A[aBase + m * ${K} + k];`,
    loadB: `return B[bBase + k * ${N} + n];`,
    store: `Y[yBase + m * ${NY} + ${N0 ? `${N0} + ` : ''}n] = ${narrow('v', dtype)};`,
    batches, m, n,
  });
}
