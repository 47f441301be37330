import { scaledDotProductAttention } from '../_kernels/attention.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { FlexAttention } from './flexattention.op.js';

export const flexAttentionCpu: CpuKernel<typeof FlexAttention.attrs> = ([q, k, v], a, [out]) => {
  const [batch, qHeads, qLen, headDim] = q!.shape as [number, number, number, number];
  const r = scaledDotProductAttention({
    batch, qHeads, kvHeads: k!.shape[1]!, qLen, kvLen: k!.shape[2]!, headDim, vHeadDim: v!.shape[3]!,
    q: f32Of(q!), k: f32Of(k!), v: f32Of(v!),
    scale: a.scale ?? 1 / Math.sqrt(headDim),
  });
  return [floatResult(out!.dtype, out!.shape, r.out)];
};
