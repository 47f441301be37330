import { concatSeq, mergeHeads, scaledDotProductAttention, splitHeads } from '../_kernels/attention.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { msMaskBias } from '../_kernels/ms-mask.js';
import type { CpuKernel } from '../op.js';
import { mhaDims, type MultiHeadAttention } from './ms-multiheadattention.op.js';

export const multiHeadAttentionCpu: CpuKernel<typeof MultiHeadAttention.attrs> = (ins, a, outs) => {
  const [q, k, v, bias, mask, ab, pk, pv] = ins;
  const n = a.num_heads;
  const d = mhaDims(ins.map((t) => t && { dtype: t.dtype, shape: t.shape }), n);
  const { batch, qLen, kvLen, headDim: hd, vHeadDim: hv } = d;
  const B = bias && f32Of(bias);
  /** A token-major [batch, seq, heads·dim] projection split into heads, its bias slice added. */
  const project = (x: Float32Array, seq: number, dim: number, biasAt: number) => {
    const t = splitHeads(x, batch, seq, n, dim);
    if (B) addHeadBias(t, B, biasAt, batch, n, seq, dim);
    return t;
  };
  let Q: Float32Array;
  let K: Float32Array;
  let V: Float32Array;
  const X = f32Of(q!);
  if (d.layout === 'packed-qkv') {
    // [B, S, N, 3, H]: head h of Q is at h·3H, of K at h·3H + H, of V at h·3H + 2H
    Q = packed(X, batch, qLen, n, hd, 3, 0);
    K = packed(X, batch, qLen, n, hd, 3, 1);
    V = packed(X, batch, qLen, n, hd, 3, 2);
  } else {
    Q = project(X, qLen, hd, 0);
    if (d.layout === 'packed-kv') {
      K = packed(f32Of(k!), batch, kvLen, n, hd, 2, 0);
      V = packed(f32Of(k!), batch, kvLen, n, hd, 2, 1);
    } else if (d.layout === 'heads-kv') {
      K = f32Of(k!);
      V = f32Of(v!);
    } else {
      K = project(f32Of(k!), kvLen, hd, n * hd);
      V = project(f32Of(v!), kvLen, hv, 2 * n * hd);
    }
  }
  if (B && (d.layout === 'packed-qkv' || d.layout === 'packed-kv')) {
    if (d.layout === 'packed-qkv') addHeadBias(Q, B, 0, batch, n, qLen, hd);
    addHeadBias(K, B, n * hd, batch, n, kvLen, hd);
    addHeadBias(V, B, 2 * n * hd, batch, n, kvLen, hv);
  }
  K = concatSeq(pk && f32Of(pk), K, batch * n, d.pastLen, kvLen, hd);
  V = concatSeq(pv && f32Of(pv), V, batch * n, d.pastLen, kvLen, hv);
  const r = scaledDotProductAttention({
    batch, qHeads: n, kvHeads: n, qLen, kvLen: d.total, headDim: hd, vHeadDim: hv, q: Q, k: K, v: V,
    scale: a.scale ?? 1 / Math.sqrt(hd),
    bias: msMaskBias({ batch, heads: n, qLen, total: d.total, pastLen: d.pastLen }, a.mask_filter_value, {
      keyMask: mask, unidirectional: a.unidirectional !== 0, attentionBias: ab,
    }),
  });
  const dtype = outs[0]!.dtype;
  const results = [floatResult(dtype, outs[0]!.shape, mergeHeads(r.out, batch, n, qLen, hv))];
  if (outs[1]) results.push(floatResult(dtype, outs[1].shape, K));
  if (outs[2]) results.push(floatResult(dtype, outs[2].shape, V));
  return results;
};

/** Slot `which` of a packed [B, S, N, parts, H] tensor as [B, N, S, H]. */
function packed(x: Float32Array, batch: number, seq: number, heads: number, dim: number, parts: number, which: number): Float32Array {
  const out = new Float32Array(batch * heads * seq * dim);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      for (let h = 0; h < heads; h++) {
        const src = (((b * seq + t) * heads + h) * parts + which) * dim;
        out.set(x.subarray(src, src + dim), ((b * heads + h) * seq + t) * dim);
      }
    }
  }
  return out;
}

/** Adds bias[offset + h·dim + e] to every [B, N, S, H] element of head h. */
function addHeadBias(t: Float32Array, bias: Float32Array, offset: number, batch: number, heads: number, seq: number, dim: number): void {
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let s = 0; s < seq; s++) {
        const at = ((b * heads + h) * seq + s) * dim;
        for (let e = 0; e < dim; e++) t[at + e] = t[at + e]! + bias[offset + h * dim + e]!;
      }
    }
  }
}
