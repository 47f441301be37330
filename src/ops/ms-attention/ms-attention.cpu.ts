import { concatSeq, mergeHeads, scaledDotProductAttention, splitHeads } from '../_kernels/attention.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { gemm, rowMajor } from '../_kernels/gemm.js';
import { msMaskBias } from '../_kernels/ms-mask.js';
import type { CpuKernel } from '../op.js';
import { msAttentionDims, type MsAttention } from './ms-attention.op.js';

export const msAttentionCpu: CpuKernel<typeof MsAttention.attrs> = (ins, a, outs) => {
  const [x, w, bias, mask, past, ab] = ins;
  const n = a.num_heads;
  const d = msAttentionDims(ins.map((t) => t && { dtype: t.dtype, shape: t.shape }), a);
  const { batch, seq, inHidden, headDim: hd, vHeadDim: hv, pastLen } = d;
  // qkv = input · weights + bias, [batch·seq, 2·qHidden + vHidden]
  const cols = w!.shape[1]!;
  const X = f32Of(x!);
  const W = f32Of(w!);
  const B = bias && f32Of(bias);
  const qkv = new Float32Array(batch * seq * cols);
  if (B) for (let r = 0; r < batch * seq; r++) qkv.set(B, r * cols);
  gemm(batch * seq, cols, inHidden, rowMajor(X, 0, inHidden), rowMajor(W, 0, cols), qkv, 0, cols, true);
  const Q = splitHeads(qkv, batch, seq, n, hd, cols, 0);
  const P = past && f32Of(past);
  const half = batch * n * pastLen * hd;
  const K = concatSeq(P?.subarray(0, half), splitHeads(qkv, batch, seq, n, hd, cols, d.qHidden), batch * n, pastLen, seq, hd);
  const V = concatSeq(P?.subarray(half), splitHeads(qkv, batch, seq, n, hv, cols, 2 * d.qHidden), batch * n, pastLen, seq, hv);
  const total = pastLen + seq;
  const r = scaledDotProductAttention({
    batch, qHeads: n, kvHeads: n, qLen: seq, kvLen: total, headDim: hd, vHeadDim: hv, q: Q, k: K, v: V,
    scale: a.scale ?? 1 / Math.sqrt(hd),
    bias: msMaskBias({ batch, heads: n, qLen: seq, total, pastLen }, a.mask_filter_value, {
      keyMask: mask, unidirectional: a.unidirectional !== 0, attentionBias: ab,
    }),
  });
  const dtype = outs[0]!.dtype;
  const results = [floatResult(dtype, outs[0]!.shape, mergeHeads(r.out, batch, n, seq, hv))];
  if (outs[1]) {
    const present = new Float32Array(K.length + V.length);
    present.set(K, 0);
    present.set(V, K.length);
    results.push(floatResult(dtype, outs[1].shape, present));
  }
  return results;
};
