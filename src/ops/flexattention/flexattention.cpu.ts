import { scaledDotProductAttention, softmaxInPlace, type AttentionArgs } from '../_kernels/attention.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { gemm, rowMajor } from '../_kernels/gemm.js';
import type { AttrsOf } from '../../ir/attr.js';
import type { CpuKernel } from '../op.js';
import type { FlexAttention } from './flexattention.op.js';
import { applyModifier, softmaxPrecision } from './flexattention.modifiers.js';

type Attrs = AttrsOf<typeof FlexAttention.attrs>;

export const flexAttentionCpu: CpuKernel<typeof FlexAttention.attrs> = ([q, k, v], a, [out]) => {
  const [batch, qHeads, qLen, headDim] = q!.shape as [number, number, number, number];
  const args: AttentionArgs = {
    batch, qHeads, kvHeads: k!.shape[1]!, qLen, kvLen: k!.shape[2]!, headDim, vHeadDim: v!.shape[3]!,
    q: f32Of(q!), k: f32Of(k!), v: f32Of(v!),
    scale: a.scale ?? 1 / Math.sqrt(headDim),
  };
  const y = a.score_mod || a.prob_mod ? withModifiers(args, a) : scaledDotProductAttention(args).out;
  return [floatResult(out!.dtype, out!.shape, y)];
};

/**
 * The modifiers take whole [B, Hq, L, S] tensors, so the stages run one after another instead of
 * row by row: the shared kernel's captured scale·Q·Kᵀ, score_mod, a float64 softmax per row,
 * prob_mod, then P·V per (batch, query head) against its key/value head.
 */
function withModifiers(args: AttentionArgs, a: Attrs): Float32Array {
  const { batch, qHeads, kvHeads, qLen, kvLen, vHeadDim: dv } = args;
  const precision = softmaxPrecision(a.softmax_precision);
  const type = { dtype: precision.dtype, shape: [batch, qHeads, qLen, kvLen] };
  // no value head: the shared kernel computes only the scores it hands back
  let scores: ArrayLike<number> = scaledDotProductAttention({ ...args, v: [], vHeadDim: 0, capture: 'scores' }).scores!;
  if (a.score_mod) scores = applyModifier(a.score_mod, 'score_mod', type, precision, scores);
  let probs: Float32Array = new Float32Array(scores.length);
  const row = new Float64Array(kvLen);
  for (let at = 0; at < probs.length; at += kvLen) {
    for (let j = 0; j < kvLen; j++) row[j] = scores[at + j]!;
    softmaxInPlace(row);
    probs.set(row, at);
  }
  // float modifier outputs read back as float32 (numeric() widens float16)
  if (a.prob_mod) probs = applyModifier(a.prob_mod, 'prob_mod', type, precision, probs) as Float32Array;
  const v = args.v as Float32Array;
  const y = new Float32Array(batch * qHeads * qLen * dv);
  const group = qHeads / kvHeads;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < qHeads; h++) {
      const bh = b * qHeads + h;
      const kv = (b * kvHeads + Math.floor(h / group)) * kvLen * dv;
      gemm(qLen, dv, kvLen, rowMajor(probs, bh * qLen * kvLen, kvLen), rowMajor(v, kv, dv), y, bh * qLen * dv, dv, false);
    }
  }
  return y;
}
