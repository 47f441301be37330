import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput } from '../op.js';

// com.microsoft RotaryEmbedding (inputs: input, position_ids, cos_cache, sin_cache — note the
// order differs from ONNX's). input is [B, S, N·H] or [B, N, S, H]; the caches are
// [max_seq, rotary_dim/2]; position_ids [B, S] int64, or [1] holding the first position (then
// token s is at position_ids[0] + s). Rotation as in _kernels/rotary.ts. Not supported:
// is_packed_batching, scale ≠ 1.
export const MsRotaryEmbedding = defineOp({
  type: 'RotaryEmbedding',
  domain: MS_DOMAIN,
  attrs: {
    interleaved: attr.int(0),
    num_heads: attr.int(0),
    rotary_embedding_dim: attr.int(0),
    scale: attr.float(1),
    is_packed_batching: attr.int(0),
  },
  inputs: [4, 4],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: (ins, a) => {
    msRotaryDims(ins, a);
    return [{ dtype: ins[0]!.dtype, shape: [...ins[0]!.shape] }];
  },
});

export interface MsRotaryDims { batch: number; heads: number; seq: number; headSize: number; half: number }

export function msRotaryDims(
  [x, pos, cos, sin]: readonly (InferInput | undefined)[],
  a: { num_heads: number; rotary_embedding_dim: number; scale: number; is_packed_batching: number },
): MsRotaryDims {
  if (a.is_packed_batching || a.scale !== 1) throw new UnsupportedError('is_packed_batching and scale ≠ 1 are not supported');
  if (cos!.shape.length !== 2 || sin!.shape.join(',') !== cos!.shape.join(',')) {
    throw new ShapeError(`cos_cache and sin_cache must both be [max_seq, rotary_dim/2], got [${cos!.shape.join(',')}] and [${sin!.shape.join(',')}]`);
  }
  const half = cos!.shape[1]!;
  let batch: number, heads: number, seq: number, headSize: number;
  if (x!.shape.length === 4) [batch, heads, seq, headSize] = x!.shape as [number, number, number, number];
  else if (x!.shape.length === 3) {
    [batch, seq] = x!.shape as [number, number];
    const hidden = x!.shape[2]!;
    heads = a.num_heads || (a.rotary_embedding_dim ? 0 : hidden / (2 * half));
    if (!Number.isInteger(heads) || heads <= 0 || hidden % heads !== 0) throw new ShapeError(`cannot split hidden size ${hidden} into heads: give num_heads`);
    headSize = hidden / heads;
  } else throw new ShapeError(`input must be 3-D or 4-D, got [${x!.shape.join(',')}]`);
  const rd = a.rotary_embedding_dim || headSize;
  if (rd !== 2 * half || rd > headSize) throw new ShapeError(`the caches' last dim ${half} must be rotary_embedding_dim/2 = ${rd / 2} (≤ head size ${headSize} / 2)`);
  const p = pos!.shape.join(',');
  if (p !== '1' && p !== `${batch},${seq}`) throw new ShapeError(`position_ids must be [1] or [${batch},${seq}], got [${p}]`);
  return { batch, heads, seq, headSize, half };
}
