import { gemmProgram } from '../../devices/webgpu/gemm.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { storage, Uniforms } from '../../devices/webgpu/shader.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import { broadcastStrides } from '../../tensor/shape.js';
import type { Gemm } from './gemm.op.js';

// Y = alpha · A' · B' + beta · C on the tiled GEMM; transposes are read in place, C through its
// broadcast strides. The transposes and C's presence are in the key; alpha and beta are uniforms.
export const gemmWgsl: GpuKernel<typeof Gemm.attrs> = ([a, , c], at, [out]) => {
  const [m, n] = out!.shape as [number, number];
  const k = at.transA ? a!.shape[0]! : a!.shape[1]!;
  const u = new Uniforms().add('mnk', 'u32', [m, n, k]).add('ab', 'f32', [at.alpha, at.beta]);
  if (c) u.add('cStride', 'u32', broadcastStrides(c.shape, [m, n]));
  const M = u.at('mnk', 0);
  const N = u.at('mnk', 1);
  const K = u.at('mnk', 2);
  const cTerm = c ? ` + ${u.at('ab', 1)} * C[m * ${u.at('cStride', 0)} + n * ${u.at('cStride', 1)}]` : '';
  return {
    programs: [gemmProgram({
      key: `gemm:tA${at.transA}:tB${at.transB}:c${c ? 1 : 0}:${out!.dtype}`,
      decls: storage(0, 'A', 'f32', 'read') + storage(1, 'B', 'f32', 'read') + (c ? storage(2, 'C', 'f32', 'read') : '') +
        storage(c ? 3 : 2, 'Y', 'f32', 'read_write'),
      bindings: [{ input: 0 }, { input: 1 }, ...(c ? [{ input: 2 }] : []), { output: 0 }],
      uniforms: u,
      M, N, K,
      loadA: at.transA ? `return A[k * ${M} + m];` : `return A[m * ${K} + k];`,
      loadB: at.transB ? `return B[n * ${K} + k];` : `return B[k * ${N} + n];`,
      store: `Y[m * ${N} + n] = ${narrow(`${u.at('ab', 0)} * v${cTerm}`, out!.dtype)};`,
      batches: 1, m, n,
    })],
  };
};
