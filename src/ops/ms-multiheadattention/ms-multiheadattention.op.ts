import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkAttentionBias, checkKeyMask } from '../_kernels/ms-mask.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput } from '../op.js';

// com.microsoft MultiHeadAttention: Y = softmax(scale · Q·Kᵀ + mask) · V per head, with the input
// projections' bias (hidden + hidden + v_hidden) added to Q, K, V first. Layouts:
//   query [B, S, D], key [B, L, D], value [B, L, Dv] (optionally past_key/past_value [B, N, P, H]
//     prepended; present_key/present_value returned);
//   packed QKV: query [B, S, N, 3, H], no key/value;  packed KV: key [B, L, N, 2, H], no value;
//   key/value already split into heads: [B, N, L, H] (cross attention; no bias on them).
// Masks: see _kernels/ms-mask.ts. Not supported: the qk output, past_sequence_length (shared
// buffers) and cache_indirection (beam search), the [3·B + 2] mask layout.
export const MultiHeadAttention = defineOp({
  type: 'MultiHeadAttention',
  domain: MS_DOMAIN,
  attrs: {
    num_heads: attr.int(),
    mask_filter_value: attr.float(-10000),
    scale: attr.optional(attr.float()),
    unidirectional: attr.int(0),
  },
  inputs: [1, 10],
  outputs: [1, 3],
  dtypes: ['float32', 'float16'],
  infer: (ins, a, outputCount) => {
    const d = mhaDims(ins, a.num_heads);
    const dtype = ins[0]!.dtype;
    const out = [{ dtype, shape: [d.batch, d.qLen, a.num_heads * d.vHeadDim] }];
    if (outputCount > 1) out.push({ dtype, shape: [d.batch, a.num_heads, d.total, d.headDim] });
    if (outputCount > 2) out.push({ dtype, shape: [d.batch, a.num_heads, d.total, d.vHeadDim] });
    return out;
  },
});

export type MhaLayout = 'separate' | 'packed-qkv' | 'packed-kv' | 'heads-kv';
export interface MhaDims { layout: MhaLayout; batch: number; qLen: number; kvLen: number; pastLen: number; total: number; headDim: number; vHeadDim: number }

export function mhaDims(ins: readonly (InferInput | undefined)[], heads: number): MhaDims {
  const [q, k, v, bias, mask, ab, pk, pv, psl, ci] = ins;
  if (psl || ci) throw new UnsupportedError('past_sequence_length and cache_indirection (shared KV buffers, beam search) are not supported');
  const shp = (t: InferInput) => `[${t.shape.join(',')}]`;
  let d: Omit<MhaDims, 'pastLen' | 'total'>;
  const [batch, qLen] = q!.shape as [number, number];
  if (q!.shape.length === 5) {
    if (k || v || q!.shape[2] !== heads || q!.shape[3] !== 3) throw new ShapeError(`packed QKV must be [B, S, ${heads}, 3, H] with no key/value, got ${shp(q!)}`);
    d = { layout: 'packed-qkv', batch, qLen, kvLen: qLen, headDim: q!.shape[4]!, vHeadDim: q!.shape[4]! };
  } else {
    if (q!.shape.length !== 3 || q!.shape[2]! % heads !== 0) throw new ShapeError(`query must be [B, S, ${heads}·H], got ${shp(q!)}`);
    const headDim = q!.shape[2]! / heads;
    if (!k) throw new ShapeError('key is required unless query is packed QKV');
    if (k.shape.length === 5) {
      if (v || k.shape[2] !== heads || k.shape[3] !== 2 || k.shape[4] !== headDim) throw new ShapeError(`packed KV must be [B, L, ${heads}, 2, ${headDim}] with no value, got ${shp(k)}`);
      d = { layout: 'packed-kv', batch, qLen, kvLen: k.shape[1]!, headDim, vHeadDim: headDim };
    } else if (k.shape.length === 4) {
      if (!v || v.shape.length !== 4 || k.shape[1] !== heads || v.shape[1] !== heads || k.shape[3] !== headDim || v.shape[2] !== k.shape[2]) {
        throw new ShapeError(`key and value in heads must be [B, ${heads}, L, ${headDim}] and [B, ${heads}, L, Hv], got ${shp(k)} and ${v ? shp(v) : 'none'}`);
      }
      d = { layout: 'heads-kv', batch, qLen, kvLen: k.shape[2]!, headDim, vHeadDim: v.shape[3]! };
    } else {
      if (!v || k.shape.length !== 3 || v.shape.length !== 3 || k.shape[2] !== q!.shape[2] || v.shape[1] !== k.shape[1] || v.shape[2]! % heads !== 0) {
        throw new ShapeError(`key and value must be [B, L, ${q!.shape[2]}] and [B, L, ${heads}·Hv], got ${shp(k)} and ${v ? shp(v) : 'none'}`);
      }
      d = { layout: 'separate', batch, qLen, kvLen: k.shape[1]!, headDim, vHeadDim: v.shape[2]! / heads };
    }
    if (k.shape[0] !== batch) throw new ShapeError('query and key batch sizes differ');
  }
  if (bias) {
    const want = heads * (2 * d.headDim + d.vHeadDim);
    if (bias.shape.length !== 1 || bias.shape[0] !== want) throw new ShapeError(`bias must be [${want}], got ${shp(bias)}`);
  }
  if (!pk !== !pv) throw new ShapeError('past_key and past_value must be given together');
  let pastLen = 0;
  if (pk && pv) {
    if (d.layout !== 'separate') throw new UnsupportedError(`past_key/past_value are supported with separate query, key and value only (not ${d.layout})`);
    if (pk.shape.join(',') !== `${batch},${heads},${pk.shape[2]},${d.headDim}` || pv.shape.join(',') !== `${batch},${heads},${pk.shape[2]},${d.vHeadDim}`) {
      throw new ShapeError(`past_key/past_value must be [${batch}, ${heads}, P, ${d.headDim}] / [..., ${d.vHeadDim}], got ${shp(pk)} and ${shp(pv)}`);
    }
    pastLen = pk.shape[2]!;
  }
  const total = pastLen + d.kvLen;
  checkKeyMask(mask, { batch, qLen, total }, 'key_padding_mask', false);
  checkAttentionBias(ab, { batch, heads, qLen, total });
  return { ...d, pastLen, total };
}
