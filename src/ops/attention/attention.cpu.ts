import { broadcastStrides } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { concatSeq, mergeHeads, scaledDotProductAttention, splitHeads, type ScoresCapture } from '../_kernels/attention.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import { attentionDims, type Attention, type AttentionShape } from './attention.op.js';

const CAPTURE: readonly ScoresCapture[] = ['scores', 'scores', 'biased', 'probs'];

export const attentionCpu: CpuKernel<typeof Attention.attrs> = (ins, a, outs) => {
  const [q, k, v, mask, pastK, pastV, nonpad] = ins;
  const d = attentionDims(ins.map((t) => t && { dtype: t.dtype, shape: t.shape }), a);
  const heads = (t: Tensor, n: number, len: number, dim: number) =>
    (d.rank === 3 ? splitHeads(f32Of(t), d.batch, len, n, dim) : f32Of(t));
  const K = concatSeq(pastK && f32Of(pastK), heads(k!, d.kvHeads, d.kvLen, d.headDim), d.batch * d.kvHeads, d.pastLen, d.kvLen, d.headDim);
  const V = concatSeq(pastV && f32Of(pastV), heads(v!, d.kvHeads, d.kvLen, d.vHeadDim), d.batch * d.kvHeads, d.pastLen, d.kvLen, d.vHeadDim);
  const lengths = nonpad?.toNumbers();
  const r = scaledDotProductAttention({
    batch: d.batch, qHeads: d.qHeads, kvHeads: d.kvHeads, qLen: d.qLen, kvLen: d.total, headDim: d.headDim, vHeadDim: d.vHeadDim,
    q: heads(q!, d.qHeads, d.qLen, d.headDim), k: K, v: V,
    scale: a.scale ?? 1 / Math.sqrt(d.headDim),
    softcap: a.softcap,
    bias: maskBias(d, a, mask, lengths),
    zeroFullyMasked: true,
    capture: outs.length > 3 ? CAPTURE[a.qk_matmul_output_mode] : 'none',
  });
  const dtype = outs[0]!.dtype;
  const y = d.rank === 3 ? mergeHeads(r.out, d.batch, d.qHeads, d.qLen, d.vHeadDim) : r.out;
  const results = [floatResult(dtype, outs[0]!.shape, y)];
  if (outs[1]) results.push(floatResult(dtype, outs[1].shape, K));
  if (outs[2]) results.push(floatResult(dtype, outs[2].shape, V));
  if (outs[3]) results.push(floatResult(dtype, outs[3].shape, r.scores!));
  return results;
};

type MaskAttrs = { is_causal: number; left_window_size: number; right_window_size: number };

/**
 * The additive bias of one query row: attn_mask (bool → 0/−∞; float as is; −∞ past its width),
 * the causal and window limits, and the padding of nonpad_kv_seqlen. The causal frontier is
 * bottom-right aligned: past_len with a past cache, nonpad_kv_seqlen[b] − q_seq with an external
 * cache, 0 otherwise.
 */
function maskBias(d: AttentionShape, a: MaskAttrs, mask: Tensor | undefined, lengths: number[] | undefined) {
  const m = mask?.numeric();
  const width = mask?.shape.at(-1) ?? 0;
  const st = mask ? broadcastStrides(mask.shape, [d.batch, d.qHeads, d.qLen, width]) : [];
  const windowed = a.left_window_size >= 0 || a.right_window_size >= 0;
  if (!mask && !a.is_causal && !windowed && !lengths) return undefined;
  return (b: number, h: number, i: number, row: Float64Array) => {
    if (m) {
      const at = b * st[0]! + h * st[1]! + i * st[2]!;
      for (let j = 0; j < d.total; j++) {
        if (j >= width) row[j] = -Infinity;
        else if (mask!.dtype === 'bool') row[j] = m[at + j] ? 0 : -Infinity;
        else row[j] = m[at + j]!;
      }
    }
    const offset = d.pastLen > 0 ? d.pastLen : lengths ? lengths[b]! - d.qLen : 0;
    for (let j = 0; j < d.total; j++) {
      const diff = i + offset - j;
      let allowed = !a.is_causal || diff >= 0;
      if (a.left_window_size >= 0 && diff > a.left_window_size) allowed = false;
      if (a.right_window_size >= 0 && -diff > a.right_window_size) allowed = false;
      if (lengths && j >= lengths[b]!) allowed = false;
      if (!allowed) row[j] = -Infinity;
    }
  };
}
