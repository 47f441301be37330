import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkAttentionBias, checkKeyMask } from '../_kernels/ms-mask.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput } from '../op.js';

// com.microsoft Attention (BERT / GPT-2 fusions): Q, K, V = input · weights + bias, split at
// qkv_hidden_sizes (default three equal parts), then multi-head attention with num_heads heads.
// past [2, B, N, P, H] is prepended to K and V; present [2, B, N, P + S, H] returned.
// mask_index: see _kernels/ms-mask.ts; unidirectional is GPT-2's causal mask.
// Not supported: do_rotary, past_present_share_buffer / past_sequence_length, the 4-D and
// [3·B + 2] mask_index layouts.
export const MsAttention = defineOp({
  type: 'Attention',
  domain: MS_DOMAIN,
  attrs: {
    num_heads: attr.int(),
    unidirectional: attr.int(0),
    mask_filter_value: attr.float(-10000),
    scale: attr.optional(attr.float()),
    qkv_hidden_sizes: attr.optional(attr.ints()),
    do_rotary: attr.int(0),
    past_present_share_buffer: attr.int(0),
    rotary_embedding_dim: attr.int(0),
  },
  inputs: [2, 7],
  outputs: [1, 2],
  dtypes: ['float32', 'float16'],
  infer: (ins, a, outputCount) => {
    const d = msAttentionDims(ins, a);
    const dtype = ins[0]!.dtype;
    const out = [{ dtype, shape: [d.batch, d.seq, d.vHidden] }];
    if (outputCount > 1) out.push({ dtype, shape: [2, d.batch, a.num_heads, d.pastLen + d.seq, d.headDim] });
    return out;
  },
});

export interface MsAttentionDims { batch: number; seq: number; inHidden: number; qHidden: number; vHidden: number; headDim: number; vHeadDim: number; pastLen: number }

export function msAttentionDims(
  [x, w, bias, mask, past, ab, psl]: readonly (InferInput | undefined)[],
  a: { num_heads: number; qkv_hidden_sizes?: number[]; do_rotary: number; past_present_share_buffer: number },
): MsAttentionDims {
  if (a.do_rotary) throw new UnsupportedError('do_rotary = 1 is not supported');
  if (a.past_present_share_buffer || psl) throw new UnsupportedError('past_present_share_buffer / past_sequence_length are not supported');
  if (x!.shape.length !== 3) throw new ShapeError(`input must be [batch, seq, hidden], got [${x!.shape.join(',')}]`);
  const [batch, seq, inHidden] = x!.shape as [number, number, number];
  if (w!.shape.length !== 2 || w!.shape[0] !== inHidden) throw new ShapeError(`weights must be [${inHidden}, 3·hidden], got [${w!.shape.join(',')}]`);
  const total3 = w!.shape[1]!;
  const sizes = a.qkv_hidden_sizes ?? [total3 / 3, total3 / 3, total3 / 3];
  if (sizes.length !== 3 || sizes[0] !== sizes[1] || sizes[0]! + sizes[1]! + sizes[2]! !== total3 || sizes.some((s) => !Number.isInteger(s) || s % a.num_heads !== 0)) {
    throw new ShapeError(`qkv_hidden_sizes [${sizes.join(',')}] must be [h, h, v] summing to weights' ${total3} columns, each divisible by num_heads ${a.num_heads}`);
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== total3)) throw new ShapeError(`bias must be [${total3}], got [${bias.shape.join(',')}]`);
  const headDim = sizes[0]! / a.num_heads;
  const vHeadDim = sizes[2]! / a.num_heads;
  let pastLen = 0;
  if (past) {
    if (headDim !== vHeadDim) throw new ShapeError('past needs equal Q, K and V hidden sizes');
    if (past.shape.length !== 5 || past.shape[0] !== 2 || past.shape[1] !== batch || past.shape[2] !== a.num_heads || past.shape[4] !== headDim) {
      throw new ShapeError(`past must be [2, ${batch}, ${a.num_heads}, P, ${headDim}], got [${past.shape.join(',')}]`);
    }
    pastLen = past.shape[3]!;
  }
  const total = pastLen + seq;
  checkKeyMask(mask, { batch, qLen: seq, total }, 'mask_index', true);
  checkAttentionBias(ab, { batch, heads: a.num_heads, qLen: seq, total });
  return { batch, seq, inHidden, qHidden: sizes[0]!, vHidden: sizes[2]!, headDim, vHeadDim, pastLen };
}
