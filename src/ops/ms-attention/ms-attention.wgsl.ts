import { gemmProgram } from '../../devices/webgpu/gemm.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { storage, Uniforms } from '../../devices/webgpu/shader.js';
import { msAttentionPrograms, stageHeadsProgram } from '../_wgsl/ms-attention.js';
import { msAttentionDims, type MsAttention } from './ms-attention.op.js';

// com.microsoft Attention on WebGPU: qkv = input · weights + bias on the tiled GEMM, [B·S, cols]
// in scratch; Q, K, V staged head-major from it (past [2, B, N, P, H] prepended to K and V, and
// present written as its two halves when asked); then scores with the mask, softmax and P·V
// (_wgsl/ms-attention.ts).
export const msAttentionWgsl: GpuKernel<typeof MsAttention.attrs> = (ins, a, outs) => {
  const n = a.num_heads;
  const d = msAttentionDims(ins, a);
  const { batch, seq, inHidden, qHidden, headDim: hd, vHeadDim: hv, pastLen } = d;
  const total = pastLen + seq;
  if (batch * n > 65535) return `${batch * n} (batch, head) pairs exceed one dispatch dimension`;
  if (seq === 0 || hd === 0 || hv === 0) return 'an empty sequence or head';
  const [, w, bias, mask, past, ab] = ins;
  const cols = w!.shape[1]!;
  const scratch: number[] = [];
  const ref = (count: number): BufferRef => ({ scratch: scratch.push(count) - 1 });
  const qkv = ref(batch * seq * cols);
  const u = new Uniforms().add('mnk', 'u32', [batch * seq, cols, inHidden]);
  const [M, N, K] = [0, 1, 2].map((i) => u.at('mnk', i));
  const programs: Program[] = [gemmProgram({
    key: `ms-attn-qkv:${!!bias}`,
    decls: storage(0, 'X', 'f32', 'read') + storage(1, 'W', 'f32', 'read') + (bias ? storage(2, 'B', 'f32', 'read') : '') + storage(bias ? 3 : 2, 'QKV', 'f32', 'read_write'),
    bindings: [{ input: 0 }, { input: 1 }, ...(bias ? [{ input: 2 }] : []), qkv], uniforms: u,
    M, N, K,
    loadA: `return X[m * ${K} + k];`,
    loadB: `return W[k * ${N} + n];`,
    store: `QKV[m * ${N} + n] = v${bias ? ' + B[n]' : ''};`,
    batches: 1, m: batch * seq, n: cols,
  })];
  const dtype = outs[0]!.dtype;
  const stage = (part: number, dim: number, rows: number, pl: number, out: BufferRef, outBase = 0) => {
    programs.push(stageHeadsProgram({
      batch, heads: n, total: rows, dim, pastLen: pl, src: qkv, strides: [seq * cols, cols, dim, part * qHidden],
      ...(past && pl ? { past: { ref: { input: 4 }, base: part === 1 ? 0 : batch * n * pastLen * hd } } : {}),
      out, outBase, outDtype: 'output' in out ? dtype : 'float32',
    }));
    return out;
  };
  const Q = stage(0, hd, seq, 0, ref(batch * n * seq * hd));
  const Kh = stage(1, hd, total, pastLen, ref(batch * n * total * hd));
  const Vh = stage(2, hv, total, pastLen, ref(batch * n * total * hv));
  if (outs[1]) {
    stage(1, hd, total, pastLen, { output: 1 });
    stage(2, hv, total, pastLen, { output: 1 }, batch * n * total * hd);
  }
  programs.push(...msAttentionPrograms(
    { batch, qHeads: n, kvHeads: n, qLen: seq, total, headDim: hd, vHeadDim: hv, pastLen }, Q, Kh, Vh, { output: 0 }, dtype, a.scale ?? 1 / Math.sqrt(hd),
    { unidirectional: a.unidirectional !== 0, filter: a.mask_filter_value, ...(mask ? { keyMask: { input: 3, type: mask } } : {}), ...(ab ? { attentionBias: { input: 5, type: ab } } : {}) },
    scratch,
  ));
  return { programs, scratch };
};
