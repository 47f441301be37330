import { ExecutionError } from '../../errors.js';
import { scaledDotProductAttention, mergeHeads, splitHeads } from '../_kernels/attention.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { rotateHead } from '../_kernels/rotary.js';
import type { CpuKernel } from '../op.js';
import { gqaDims, type GroupQueryAttention } from './ms-groupqueryattention.op.js';

export const groupQueryAttentionCpu: CpuKernel<typeof GroupQueryAttention.attrs> = (ins, a, outs) => {
  const [q, k, v, pk, pv, seqlens, , cos, sin, posIds, ab, sink] = ins;
  const d = gqaDims(ins.map((t) => t && { dtype: t.dtype, shape: t.shape, value: t }), a);
  const { batch, seq, headDim: hd, pastLen, presentLen } = d;
  const n = a.num_heads;
  const nkv = a.kv_num_heads;
  const X = f32Of(q!);
  const stride = d.packed ? (n + 2 * nkv) * hd : n * hd;
  const Q = splitHeads(X, batch, seq, n, hd, stride, 0);
  const Knew = d.packed ? splitHeads(X, batch, seq, nkv, hd, stride, n * hd) : splitHeads(f32Of(k!), batch, seq, nkv, hd);
  const Vnew = d.packed ? splitHeads(X, batch, seq, nkv, hd, stride, (n + nkv) * hd) : splitHeads(f32Of(v!), batch, seq, nkv, hd);
  const lens = seqlens!.toNumbers().map((l) => l + 1);
  const start = lens.map((t, b) => {
    if (t < seq || t > presentLen) throw new ExecutionError(`seqlens_k[${b}] = ${t - 1} does not fit ${seq} new tokens in a cache of ${presentLen}`);
    return t - seq;
  });
  if (a.do_rotary) {
    const C = f32Of(cos!);
    const S = f32Of(sin!);
    const half = cos!.shape[1]!;
    const rows = cos!.shape[0]!;
    const P = posIds?.numeric();
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < seq; i++) {
        // as onnxruntime: a first prompt (no past) reads only position_ids' first element
        const pos = !P ? start[b]! + i : pastLen === 0 ? P[0]! + i : P[b * seq + i]!;
        if (pos < 0 || pos >= rows) throw new ExecutionError(`position ${pos} is outside the rotary cache's ${rows} rows`);
        for (let h = 0; h < n; h++) rotateHead(Q, ((b * n + h) * seq + i) * hd, half, a.rotary_interleaved !== 0, C, S, pos * half);
        for (let h = 0; h < nkv; h++) rotateHead(Knew, ((b * nkv + h) * seq + i) * hd, half, a.rotary_interleaved !== 0, C, S, pos * half);
      }
    }
  }
  const K = new Float32Array(batch * nkv * presentLen * hd);
  const V = new Float32Array(K.length);
  const PK = pk && f32Of(pk);
  const PV = pv && f32Of(pv);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < nkv; h++) {
      const dst = (b * nkv + h) * presentLen * hd;
      const keep = Math.min(start[b]!, pastLen) * hd;
      if (PK) K.set(PK.subarray((b * nkv + h) * pastLen * hd, (b * nkv + h) * pastLen * hd + keep), dst);
      if (PV) V.set(PV.subarray((b * nkv + h) * pastLen * hd, (b * nkv + h) * pastLen * hd + keep), dst);
      const src = (b * nkv + h) * seq * hd;
      K.set(Knew.subarray(src, src + seq * hd), dst + start[b]! * hd);
      V.set(Vnew.subarray(src, src + seq * hd), dst + start[b]! * hd);
    }
  }
  const B = ab?.numeric();
  const H = sink?.numeric();
  const r = scaledDotProductAttention({
    batch, qHeads: n, kvHeads: nkv, qLen: seq, kvLen: presentLen, headDim: hd, vHeadDim: hd, q: Q, k: K, v: V,
    scale: a.scale ?? 1 / Math.sqrt(hd),
    softcap: a.softcap,
    sink: a.smooth_softmax || H ? (h) => (H ? H[h]! : 0) : undefined,
    bias: (b, h, i, row) => {
      const pos = start[b]! + i;
      for (let j = 0; j < presentLen; j++) {
        const masked = j >= lens[b]! || (a.causal !== 0 && j > pos) || (a.local_window_size > 0 && j <= pos - a.local_window_size);
        if (masked) row[j] = -Infinity;
        else if (B && j < d.totalLen) {
          const at = (((ab!.shape[0] === 1 ? 0 : b) * ab!.shape[1]! + (ab!.shape[1] === 1 ? 0 : h)) * seq + i) * d.totalLen;
          row[j] = B[at + j]!;
        }
      }
    },
  });
  const dtype = outs[0]!.dtype;
  const results = [floatResult(dtype, outs[0]!.shape, mergeHeads(r.out, batch, n, seq, hd))];
  if (outs[1]) results.push(floatResult(dtype, outs[1].shape, K));
  if (outs[2]) results.push(floatResult(dtype, outs[2].shape, V));
  return results;
};
