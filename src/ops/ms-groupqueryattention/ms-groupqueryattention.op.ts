import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkHeads } from '../_kernels/attention.js';
import { checkAttentionBias } from '../_kernels/ms-mask.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput } from '../op.js';

// com.microsoft GroupQueryAttention (Llama / Mistral / Phi decoders with a KV cache):
// query [B, S, N·H] (or packed QKV [B, S, (N + 2·Nkv)·H] without key/value), key/value
// [B, S, Nkv·H], past_key/past_value [B, Nkv, P, H]. Batch b holds T_b = seqlens_k[b] + 1 tokens:
// its S new tokens sit at positions T_b − S … T_b − 1 of present_key/present_value
// [B, Nkv, max(P, total_sequence_length), H] (past rows before T_b − S are kept). Query i attends
// keys j ≤ p = T_b − S + i (causal), and j > p − local_window_size when that is > 0; softcap, attention_bias and
// smooth_softmax / head_sink (an extra logit in the softmax denominator) as in onnxruntime.
// do_rotary rotates Q and the new K with cos_cache/sin_cache at their positions: position_ids
// (a first prompt, without past, reads only its first element p₀: p₀ + i), else T_b − S + i. Not supported: quantized KV caches (k_scale, v_scale), q/k norm weights,
// sliding_window_cache, the qk output.
export const GroupQueryAttention = defineOp({
  type: 'GroupQueryAttention',
  domain: MS_DOMAIN,
  attrs: {
    num_heads: attr.int(),
    kv_num_heads: attr.int(),
    scale: attr.optional(attr.float()),
    softcap: attr.float(0),
    local_window_size: attr.int(-1),
    do_rotary: attr.int(0),
    rotary_interleaved: attr.int(0),
    smooth_softmax: attr.int(0),
    causal: attr.int(1),
    qk_output: attr.int(0),
    k_quant_type: attr.string('NONE'),
    v_quant_type: attr.string('NONE'),
    kv_cache_bit_width: attr.int(0),
    sliding_window_cache: attr.int(0),
    qk_norm_epsilon: attr.float(1e-6),
  },
  inputs: [7, 16],
  outputs: [1, 3],
  dtypes: ['float32', 'float16'],
  valueInputs: [6],
  infer: (ins, a, outputCount) => {
    const d = gqaDims(ins, a);
    const dtype = ins[0]!.dtype;
    const out = [{ dtype, shape: [d.batch, d.seq, a.num_heads * d.headDim] }];
    if (outputCount > 1) out.push({ dtype, shape: [d.batch, a.kv_num_heads, d.presentLen, d.headDim] });
    if (outputCount > 2) out.push({ dtype, shape: [d.batch, a.kv_num_heads, d.presentLen, d.headDim] });
    return out;
  },
});

type GqaAttrs = {
  num_heads: number; kv_num_heads: number; do_rotary: number; qk_output: number; k_quant_type: string; v_quant_type: string;
  sliding_window_cache: number; causal: number; local_window_size: number;
};
export interface GqaDims { batch: number; seq: number; headDim: number; packed: boolean; pastLen: number; presentLen: number; totalLen: number }

export function gqaDims(ins: readonly (InferInput | undefined)[], a: GqaAttrs): GqaDims {
  const [q, k, v, pk, pv, seqlens, totalIn, cos, sin, , ab] = ins;
  if (ins.slice(12).some(Boolean) || a.k_quant_type !== 'NONE' || a.v_quant_type !== 'NONE') {
    throw new UnsupportedError('quantized KV caches (k_scale, v_scale) and q/k norm weights are not supported');
  }
  if (a.sliding_window_cache) throw new UnsupportedError('sliding_window_cache = 1 is not supported');
  if (a.qk_output) throw new UnsupportedError('the qk output (qk_output ≠ 0) is not supported');
  if (!a.causal && a.local_window_size >= 0) throw new ShapeError('local_window_size must be −1 when causal is 0');
  checkHeads(a.num_heads, a.kv_num_heads);
  if (q!.shape.length !== 3) throw new ShapeError(`query must be [B, S, hidden], got [${q!.shape.join(',')}]`);
  const [batch, seq, hidden] = q!.shape as [number, number, number];
  const packed = !k;
  const heads = packed ? a.num_heads + 2 * a.kv_num_heads : a.num_heads;
  if (hidden % heads !== 0) throw new ShapeError(`query's last dim ${hidden} is not divisible by ${heads} heads`);
  const headDim = hidden / heads;
  if (!packed) {
    const want = `${batch},${seq},${a.kv_num_heads * headDim}`;
    if (!v || k!.shape.join(',') !== want || v.shape.join(',') !== want) throw new ShapeError(`key and value must be [${want}]`);
  }
  if (!pk !== !pv) throw new ShapeError('past_key and past_value must be given together');
  const pastLen = pk ? pk.shape[2]! : 0;
  for (const t of [pk, pv]) {
    if (t && (t.shape.length !== 4 || t.shape[0] !== batch || t.shape[1] !== a.kv_num_heads || t.shape[3] !== headDim)) {
      throw new ShapeError(`past_key/past_value must be [${batch}, ${a.kv_num_heads}, P, ${headDim}], got [${t.shape.join(',')}]`);
    }
  }
  if (seqlens!.dtype !== 'int32' || seqlens!.shape.join(',') !== `${batch}`) throw new ShapeError(`seqlens_k must be int32 [${batch}]`);
  if (totalIn!.dtype !== 'int32' || totalIn!.shape.reduce((p, x) => p * x, 1) !== 1) throw new ShapeError('total_sequence_length must be an int32 scalar');
  const totalLen = totalIn!.value!.toNumbers()[0]!;
  if (a.do_rotary) {
    if (!cos || !sin || cos.shape.length !== 2 || sin.shape.join(',') !== cos.shape.join(',') || cos.shape[1]! * 2 > headDim) {
      throw new ShapeError(`do_rotary needs cos_cache and sin_cache [max_seq, ≤ ${headDim / 2}]`);
    }
  }
  checkAttentionBias(ab, { batch, heads: a.num_heads, qLen: seq, total: totalLen });
  return { batch, seq, headDim, packed, pastLen, presentLen: Math.max(pastLen, totalLen), totalLen };
}
