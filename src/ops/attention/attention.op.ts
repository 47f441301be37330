import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { checkHeads } from '../_kernels/attention.js';
import { defineOp, type InferInput } from '../op.js';

// Attention (opset 23; 24 adds input 6, nonpad_kv_seqlen):
//   Y = softmax(softcap(scale · Q·Kᵀ) + mask) · V
// Q, K, V are 4-D [batch, heads, seq, head_size], or 3-D [batch, seq, heads·head_size] with
// q_num_heads and kv_num_heads given. K and V are appended to past_key/past_value (the returned
// present_key/present_value). attn_mask (bool: true attends; float: added) broadcasts to
// [batch, q_heads, q_seq, total_seq], padded on the right when shorter than total_seq. is_causal
// masks key j for query i when j > i + past_len. Query heads share kv heads in groups (GQA).
// qk_matmul_output (output 3): mode 0/1 the (softcapped) scores, 2 with the mask added, 3 the
// probabilities. Opset 25's left/right window attributes are included (−1: unbounded).
export const Attention = defineOp({
  type: 'Attention',
  domain: '',
  attrs: {
    is_causal: attr.int(0),
    kv_num_heads: attr.optional(attr.int()),
    q_num_heads: attr.optional(attr.int()),
    qk_matmul_output_mode: attr.int(0),
    scale: attr.optional(attr.float()),
    softcap: attr.float(0),
    softmax_precision: attr.optional(attr.int()),
    left_window_size: attr.int(-1),
    right_window_size: attr.int(-1),
  },
  inputs: [3, 7],
  outputs: [1, 4],
  dtypes: ['float32', 'float16'],
  infer: (ins, a, outputCount) => {
    const d = attentionDims(ins, a);
    if (a.qk_matmul_output_mode < 0 || a.qk_matmul_output_mode > 3) {
      throw new UnsupportedError(`qk_matmul_output_mode ${a.qk_matmul_output_mode} is not one of 0, 1, 2, 3`);
    }
    const mask = ins[3];
    if (mask) {
      if (mask.dtype !== 'bool' && mask.dtype !== ins[0]!.dtype) throw new ShapeError(`attn_mask must be bool or ${ins[0]!.dtype}, got ${mask.dtype}`);
      if (mask.shape.length < 2 || mask.shape.length > 4) throw new ShapeError(`attn_mask must have rank 2 to 4, got [${mask.shape.join(',')}]`);
      if (mask.shape[mask.shape.length - 1]! > d.total) throw new ShapeError(`attn_mask's last dim ${mask.shape.at(-1)} exceeds the total sequence length ${d.total}`);
      broadcastShapes([...mask.shape.slice(0, -1), d.total], [d.batch, d.qHeads, d.qLen, d.total]);
    }
    const nonpad = ins[6];
    if (nonpad) {
      if (nonpad.dtype !== 'int64' || nonpad.shape.length !== 1 || nonpad.shape[0] !== d.batch) {
        throw new ShapeError(`nonpad_kv_seqlen must be int64 [${d.batch}], got ${nonpad.dtype}[${nonpad.shape.join(',')}]`);
      }
      if (ins[4]) throw new ShapeError('nonpad_kv_seqlen cannot be combined with past_key/past_value');
    }
    const dtype = ins[0]!.dtype;
    const y = d.rank === 3 ? [d.batch, d.qLen, d.qHeads * d.vHeadDim] : [d.batch, d.qHeads, d.qLen, d.vHeadDim];
    const out = [{ dtype, shape: y }];
    if (outputCount > 1) out.push({ dtype, shape: [d.batch, d.kvHeads, d.total, d.headDim] });
    if (outputCount > 2) out.push({ dtype, shape: [d.batch, d.kvHeads, d.total, d.vHeadDim] });
    if (outputCount > 3) out.push({ dtype, shape: [d.batch, d.qHeads, d.qLen, d.total] });
    return out;
  },
});

export interface AttentionShape {
  rank: number;
  batch: number;
  qHeads: number;
  kvHeads: number;
  qLen: number;
  kvLen: number;
  pastLen: number;
  total: number;
  headDim: number;
  vHeadDim: number;
}

/** Batch, head counts, lengths and head sizes of an Attention node's inputs (checked). */
export function attentionDims(
  [q, k, v, , pk, pv]: readonly (InferInput | undefined)[], a: { q_num_heads?: number; kv_num_heads?: number },
): AttentionShape {
  const rank = q!.shape.length;
  if ((rank !== 3 && rank !== 4) || k!.shape.length !== rank || v!.shape.length !== rank) {
    throw new ShapeError(`Q, K and V must all be 3-D or all 4-D, got [${q!.shape.join(',')}], [${k!.shape.join(',')}], [${v!.shape.join(',')}]`);
  }
  for (const [n, t] of [['K', k], ['V', v]] as const) {
    if (t!.dtype !== q!.dtype) throw new ShapeError(`${n} must be ${q!.dtype} like Q, got ${t!.dtype}`);
  }
  let s: Omit<AttentionShape, 'pastLen' | 'total'>;
  if (rank === 3) {
    const { q_num_heads: qh, kv_num_heads: kvh } = a;
    if (!qh || !kvh) throw new ShapeError('3-D Q, K, V need the q_num_heads and kv_num_heads attributes');
    const [batch, qLen, qHidden] = q!.shape as [number, number, number];
    for (const [n, hidden, heads] of [['Q', qHidden, qh], ['K', k!.shape[2]!, kvh], ['V', v!.shape[2]!, kvh]] as const) {
      if (hidden % heads !== 0) throw new ShapeError(`${n}'s hidden size ${hidden} is not divisible by its head count ${heads}`);
    }
    s = { rank, batch, qHeads: qh, kvHeads: kvh, qLen, kvLen: k!.shape[1]!, headDim: qHidden / qh, vHeadDim: v!.shape[2]! / kvh };
    if (k!.shape[2]! / kvh !== s.headDim) throw new ShapeError(`K's head size ${k!.shape[2]! / kvh} differs from Q's ${s.headDim}`);
  } else {
    const [batch, qHeads, qLen, headDim] = q!.shape as [number, number, number, number];
    s = { rank, batch, qHeads, kvHeads: k!.shape[1]!, qLen, kvLen: k!.shape[2]!, headDim, vHeadDim: v!.shape[3]! };
    if (k!.shape[3] !== headDim) throw new ShapeError(`K's head size ${k!.shape[3]} differs from Q's ${headDim}`);
    if (v!.shape[1] !== s.kvHeads) throw new ShapeError(`V has ${v!.shape[1]} heads, K has ${s.kvHeads}`);
  }
  const kvLenOf = (t: InferInput) => (rank === 3 ? t.shape[1] : t.shape[2]);
  if (kvLenOf(v!) !== s.kvLen) throw new ShapeError(`K and V sequence lengths differ (${s.kvLen} and ${kvLenOf(v!)})`);
  if (k!.shape[0] !== s.batch || v!.shape[0] !== s.batch) throw new ShapeError('Q, K and V batch sizes differ');
  checkHeads(s.qHeads, s.kvHeads);
  if (!pk !== !pv) throw new ShapeError('past_key and past_value must be given together');
  let pastLen = 0;
  if (pk && pv) {
    const want = (dim: number) => `[${s.batch},${s.kvHeads},P,${dim}]`;
    if (pk.shape.length !== 4 || pk.shape[0] !== s.batch || pk.shape[1] !== s.kvHeads || pk.shape[3] !== s.headDim) {
      throw new ShapeError(`past_key must be ${want(s.headDim)}, got [${pk.shape.join(',')}]`);
    }
    if (pv.shape.length !== 4 || pv.shape[0] !== s.batch || pv.shape[1] !== s.kvHeads || pv.shape[3] !== s.vHeadDim || pv.shape[2] !== pk.shape[2]) {
      throw new ShapeError(`past_value must be ${want(s.vHeadDim)} with past_key's length, got [${pv.shape.join(',')}]`);
    }
    pastLen = pk.shape[2]!;
  }
  return { ...s, pastLen, total: pastLen + s.kvLen };
}
