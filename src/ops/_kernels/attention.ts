// Scaled dot-product attention over head-major float32 tensors, shared by ONNX Attention,
// FlexAttention and the com.microsoft attention family. Each op lays out its own inputs,
// projections, caches and masks; this computes, per (batch, query head, query row):
//   s = scale · q·kᵀ  →  softcap  →  + bias  →  softmax  →  · v
// Query head h reads key/value head ⌊h / (qHeads / kvHeads)⌋ (grouped-query attention).
import { ShapeError } from '../../errors.js';

export interface AttentionDims {
  batch: number;
  qHeads: number;
  kvHeads: number;
  qLen: number;
  kvLen: number;
  headDim: number;
  vHeadDim: number;
}

/** Which intermediate to hand back per (b, h, i, j), when an op exposes one. */
export type ScoresCapture = 'none' | 'scores' | 'biased' | 'probs';

export interface AttentionArgs extends AttentionDims {
  /** [batch, qHeads, qLen, headDim] */
  q: ArrayLike<number>;
  /** [batch, kvHeads, kvLen, headDim] */
  k: ArrayLike<number>;
  /** [batch, kvHeads, kvLen, vHeadDim] */
  v: ArrayLike<number>;
  scale: number;
  /** > 0: s ← softcap · tanh(s / softcap), before the bias. */
  softcap?: number;
  /**
   * Fills `row` (zeroed, length kvLen) with the additive bias of one query row; −∞ masks a key.
   * Omitted: no bias.
   */
  bias?: (b: number, h: number, i: number, row: Float64Array) => void;
  /**
   * A row whose bias is −∞ everywhere attends nothing: its probabilities are 0 (ONNX Attention).
   * Otherwise the softmax of the (finite) scores runs as usual.
   */
  zeroFullyMasked?: boolean;
  /**
   * An extra logit per query head that joins the softmax's denominator only (onnxruntime's
   * smooth_softmax / head_sink): p_j = e^(s_j) / (e^sink + Σ e^(s_k)).
   */
  sink?: (h: number) => number;
  /** Which intermediate to return as `scores` (default none). */
  capture?: ScoresCapture;
}

export interface AttentionResult {
  /** [batch, qHeads, qLen, vHeadDim] */
  out: Float32Array;
  /** [batch, qHeads, qLen, kvLen] when capture ≠ 'none' */
  scores?: Float32Array;
}

export function checkHeads(qHeads: number, kvHeads: number): void {
  if (!(kvHeads > 0) || qHeads % kvHeads !== 0) {
    throw new ShapeError(`the query head count ${qHeads} must be a positive multiple of the key/value head count ${kvHeads}`);
  }
}

export function scaledDotProductAttention(a: AttentionArgs): AttentionResult {
  const { batch, qHeads, kvHeads, qLen, kvLen, headDim: d, vHeadDim: dv } = a;
  checkHeads(qHeads, kvHeads);
  const group = qHeads / kvHeads;
  const out = new Float32Array(batch * qHeads * qLen * dv);
  const capture = a.capture ?? 'none';
  const scores = capture === 'none' ? undefined : new Float32Array(batch * qHeads * qLen * kvLen);
  const s = new Float64Array(kvLen);
  const bias = new Float64Array(kvLen);
  const acc = new Float64Array(dv);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < qHeads; h++) {
      const kvBase = (b * kvHeads + Math.floor(h / group)) * kvLen;
      for (let i = 0; i < qLen; i++) {
        const qAt = ((b * qHeads + h) * qLen + i) * d;
        for (let j = 0; j < kvLen; j++) {
          const kAt = (kvBase + j) * d;
          let dot = 0;
          for (let e = 0; e < d; e++) dot += a.q[qAt + e]! * a.k[kAt + e]!;
          let x = dot * a.scale;
          if (a.softcap && a.softcap > 0) x = a.softcap * Math.tanh(x / a.softcap);
          s[j] = x;
        }
        const row = ((b * qHeads + h) * qLen + i) * kvLen;
        if (capture === 'scores') scores!.set(s, row);
        bias.fill(0);
        a.bias?.(b, h, i, bias);
        let allMasked = kvLen > 0;
        for (let j = 0; j < kvLen; j++) {
          s[j] = s[j]! + bias[j]!;
          if (bias[j] !== -Infinity) allMasked = false;
        }
        if (capture === 'biased') scores!.set(s, row);
        softmaxInPlace(s, a.sink?.(h));
        if (allMasked && a.zeroFullyMasked) s.fill(0);
        if (capture === 'probs') scores!.set(s, row);
        acc.fill(0);
        for (let j = 0; j < kvLen; j++) {
          const p = s[j]!;
          if (p === 0) continue;
          const vAt = (kvBase + j) * dv;
          for (let e = 0; e < dv; e++) acc[e] = acc[e]! + p * a.v[vAt + e]!;
        }
        out.set(acc, ((b * qHeads + h) * qLen + i) * dv);
      }
    }
  }
  return scores ? { out, scores } : { out };
}

/** Softmax of a row in place (max-shifted), with an optional denominator-only sink logit. */
export function softmaxInPlace(s: Float64Array, sink?: number): void {
  let max = sink ?? -Infinity;
  for (const x of s) if (x > max) max = x;
  let sum = sink === undefined ? 0 : Math.exp(sink - max);
  for (let j = 0; j < s.length; j++) {
    const e = Math.exp(s[j]! - max);
    s[j] = e;
    sum += e;
  }
  for (let j = 0; j < s.length; j++) s[j] = s[j]! / sum;
}

/**
 * [batch, seq, heads·dim] (a token-major projection) → [batch, heads, seq, dim], as float32.
 * `stride`/`offset` pick a slice of the last axis (for packed QKV inputs).
 */
export function splitHeads(
  x: ArrayLike<number>, batch: number, seq: number, heads: number, dim: number, stride = heads * dim, offset = 0,
): Float32Array {
  const out = new Float32Array(batch * heads * seq * dim);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      const src = (b * seq + t) * stride + offset;
      for (let h = 0; h < heads; h++) {
        const dst = ((b * heads + h) * seq + t) * dim;
        for (let e = 0; e < dim; e++) out[dst + e] = x[src + h * dim + e]!;
      }
    }
  }
  return out;
}

/** [batch, heads, seq, dim] → [batch, seq, heads·dim]. */
export function mergeHeads(x: ArrayLike<number>, batch: number, heads: number, seq: number, dim: number): Float32Array {
  const out = new Float32Array(batch * seq * heads * dim);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < seq; t++) {
        const src = ((b * heads + h) * seq + t) * dim;
        const dst = (b * seq + t) * heads * dim + h * dim;
        for (let e = 0; e < dim; e++) out[dst + e] = x[src + e]!;
      }
    }
  }
  return out;
}

/** Concatenates [B, H, P, D] and [B, H, S, D] along the sequence axis → [B, H, P+S, D]. */
export function concatSeq(
  past: ArrayLike<number> | undefined, cur: ArrayLike<number>, batchHeads: number, pastLen: number, curLen: number, dim: number,
): Float32Array {
  const total = pastLen + curLen;
  const out = new Float32Array(batchHeads * total * dim);
  for (let bh = 0; bh < batchHeads; bh++) {
    for (let t = 0; t < pastLen; t++) {
      for (let e = 0; e < dim; e++) out[(bh * total + t) * dim + e] = past![(bh * pastLen + t) * dim + e]!;
    }
    for (let t = 0; t < curLen; t++) {
      for (let e = 0; e < dim; e++) out[(bh * total + pastLen + t) * dim + e] = cur[(bh * curLen + t) * dim + e]!;
    }
  }
  return out;
}
