import { gemmProgram } from '../../devices/webgpu/gemm.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { coordsOf, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import { broadcastStrides } from '../../tensor/shape.js';
import { matmulGeometry, type MatMul } from './matmul.op.js';

// Batched numpy matmul on the tiled GEMM: workgroup z walks the broadcast batch; each operand's
// batch offset comes from its broadcast batch strides (0 on broadcast dims).
export const matmulWgsl: GpuKernel<typeof MatMul.attrs> = ([a, b], _attrs, [out]) => {
  const { batch, m, k, n } = matmulGeometry(a!.shape, b!.shape);
  const batches = batch.reduce((x, d) => x * d, 1);
  if (batches > 65535) return `${batches} batches exceed one dispatch dimension`;
  const rank = batch.length;
  const aBatch = (a!.shape.length === 1 ? [] : a!.shape.slice(0, -2));
  const bBatch = (b!.shape.length === 1 ? [] : b!.shape.slice(0, -2));
  const u = new Uniforms().add('mnk', 'u32', [m, n, k]);
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
  return {
    programs: [gemmProgram({
      key: `matmul:r${rank}:${out!.dtype}`,
      decls: storage(0, 'A', 'f32', 'read') + storage(1, 'B', 'f32', 'read') + storage(2, 'Y', 'f32', 'read_write'),
      bindings: [{ input: 0 }, { input: 1 }, { output: 0 }],
      uniforms: u,
      globals: 'var<private> aBase: u32 = 0u;\nvar<private> bBase: u32 = 0u;\nvar<private> yBase: u32 = 0u;',
      prologue: `${prologue}\n  yBase = batch * ${M} * ${N};`,
      M, N, K,
      loadA: `return A[aBase + m * ${K} + k];`,
      loadB: `return B[bBase + k * ${N} + n];`,
      store: `Y[yBase + m * ${N} + n] = ${narrow('v', out!.dtype)};`,
      batches, m, n,
    })],
  };
};
