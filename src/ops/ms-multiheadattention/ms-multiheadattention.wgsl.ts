import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { msAttentionPrograms, stageHeadsProgram, type StageSpec } from '../_wgsl/ms-attention.js';
import { mhaDims, type MultiHeadAttention } from './ms-multiheadattention.op.js';

// com.microsoft MultiHeadAttention on WebGPU: Q, K and V staged head-major from their layout
// (separate, packed QKV, packed KV, already in heads) with the bias added and the past prepended —
// K and V straight into present_key / present_value when asked — then scores with the mask,
// softmax and P·V (_wgsl/ms-attention.ts).
export const multiHeadAttentionWgsl: GpuKernel<typeof MultiHeadAttention.attrs> = (ins, a, outs) => {
  const n = a.num_heads;
  const d = mhaDims(ins, n);
  const { batch, qLen, kvLen, headDim: hd, vHeadDim: hv, pastLen, total } = d;
  if (batch * n > 65535) return `${batch * n} (batch, head) pairs exceed one dispatch dimension`;
  if (qLen === 0 || total === 0 || hd === 0 || hv === 0) return 'an empty sequence or head';
  const [, , , bias, mask, ab] = ins;
  const scratch: number[] = [];
  const programs: Program[] = [];
  const dtype = outs[0]!.dtype;
  const biasRef = (offset: number) => (bias ? { bias: { ref: { input: 3 }, offset } } : {});
  /** Stages one of Q, K, V into `out` (or scratch); returns where it lies. */
  const stage = (which: 0 | 1 | 2, s: Omit<StageSpec, 'batch' | 'heads' | 'out' | 'outDtype'>): BufferRef => {
    const out: BufferRef = which > 0 && outs[which] ? { output: which } : { scratch: scratch.push(batch * n * s.total * s.dim) - 1 };
    programs.push(stageHeadsProgram({ ...s, batch, heads: n, out, outDtype: 'output' in out ? dtype : 'float32' }));
    return out;
  };
  let Q: BufferRef;
  let K: BufferRef;
  let V: BufferRef;
  if (d.layout === 'packed-qkv') {
    const st = (part: number): [number, number, number, number] => [qLen * n * 3 * hd, n * 3 * hd, 3 * hd, part * hd];
    Q = stage(0, { total: qLen, dim: hd, pastLen: 0, src: { input: 0 }, strides: st(0), ...biasRef(0) });
    K = stage(1, { total, dim: hd, pastLen: 0, src: { input: 0 }, strides: st(1), ...biasRef(n * hd) });
    V = stage(2, { total, dim: hv, pastLen: 0, src: { input: 0 }, strides: st(2), ...biasRef(2 * n * hd) });
  } else {
    Q = stage(0, { total: qLen, dim: hd, pastLen: 0, src: { input: 0 }, strides: [qLen * n * hd, n * hd, hd, 0], ...biasRef(0) });
    if (d.layout === 'packed-kv') {
      const st = (part: number): [number, number, number, number] => [kvLen * n * 2 * hd, n * 2 * hd, 2 * hd, part * hd];
      K = stage(1, { total, dim: hd, pastLen: 0, src: { input: 1 }, strides: st(0), ...biasRef(n * hd) });
      V = stage(2, { total, dim: hv, pastLen: 0, src: { input: 1 }, strides: st(1), ...biasRef(2 * n * hd) });
    } else if (d.layout === 'heads-kv') {
      // already head-major, no bias on them: copied only into a present output
      const heads = (which: 1 | 2, dim: number): BufferRef => (outs[which]
        ? stage(which, { total, dim, pastLen: 0, src: { input: which }, strides: [n * kvLen * dim, dim, kvLen * dim, 0] })
        : { input: which });
      K = heads(1, hd);
      V = heads(2, hv);
    } else {
      const past = (input: number) => (pastLen ? { past: { ref: { input }, base: 0 } } : {});
      K = stage(1, { total, dim: hd, pastLen, src: { input: 1 }, strides: [kvLen * n * hd, n * hd, hd, 0], ...biasRef(n * hd), ...past(6) });
      V = stage(2, { total, dim: hv, pastLen, src: { input: 2 }, strides: [kvLen * n * hv, n * hv, hv, 0], ...biasRef(2 * n * hd), ...past(7) });
    }
  }
  programs.push(...msAttentionPrograms(
    { batch, qHeads: n, kvHeads: n, qLen, total, headDim: hd, vHeadDim: hv, pastLen }, Q, K, V, { output: 0 }, dtype, a.scale ?? 1 / Math.sqrt(hd),
    { unidirectional: a.unidirectional !== 0, filter: a.mask_filter_value, ...(mask ? { keyMask: { input: 4, type: mask } } : {}), ...(ab ? { attentionBias: { input: 5, type: ab } } : {}) },
    scratch,
  ));
  return { programs, scratch };
};
