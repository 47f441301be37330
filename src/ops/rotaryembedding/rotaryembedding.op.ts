import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';

// RotaryEmbedding (opset 23): rotates the first rotary_embedding_dim values (default: all) of
// every head of X by its position's angle. X is [batch, heads, seq, head_size], or
// [batch, seq, heads·head_size] with num_heads. With position_ids [batch, seq] the caches are
// [max_position, rotary_dim/2] tables indexed by them; without, they are [batch, seq, rotary_dim/2].
export const RotaryEmbedding = defineOp({
  type: 'RotaryEmbedding',
  domain: '',
  attrs: { interleaved: attr.int(0), num_heads: attr.int(0), rotary_embedding_dim: attr.int(0) },
  inputs: [3, 4],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: (ins, a) => {
    rotaryDims(ins.map((t) => t?.shape), a);
    return [{ dtype: ins[0]!.dtype, shape: [...ins[0]!.shape] }];
  },
});

export interface RotaryDims { batch: number; heads: number; seq: number; headSize: number; half: number }

export function rotaryDims(
  [x, cos, sin, pos]: readonly (readonly number[] | undefined)[], a: { num_heads: number; rotary_embedding_dim: number },
): RotaryDims {
  let d: Omit<RotaryDims, 'half'>;
  if (x!.length === 4) d = { batch: x![0]!, heads: x![1]!, seq: x![2]!, headSize: x![3]! };
  else if (x!.length === 3) {
    if (a.num_heads <= 0) throw new ShapeError('a 3-D input needs the num_heads attribute');
    if (x![2]! % a.num_heads !== 0) throw new ShapeError(`hidden size ${x![2]} is not divisible by num_heads ${a.num_heads}`);
    d = { batch: x![0]!, heads: a.num_heads, seq: x![1]!, headSize: x![2]! / a.num_heads };
  } else throw new ShapeError(`input must be 3-D or 4-D, got [${x!.join(',')}]`);
  const rd = a.rotary_embedding_dim || d.headSize;
  if (rd % 2 !== 0 || rd > d.headSize) throw new ShapeError(`rotary_embedding_dim ${rd} must be even and at most the head size ${d.headSize}`);
  const half = rd / 2;
  const want = pos ? `[P,${half}]` : `[${d.batch},${d.seq},${half}]`;
  for (const [n, c] of [['cos_cache', cos], ['sin_cache', sin]] as const) {
    const ok = pos ? c!.length === 2 && c![1] === half : c!.length === 3 && c![0] === d.batch && c![1] === d.seq && c![2] === half;
    if (!ok) throw new ShapeError(`${n} must be ${want}, got [${c!.join(',')}]`);
  }
  if (pos && (pos.length !== 2 || pos[0] !== d.batch || pos[1] !== d.seq)) {
    throw new ShapeError(`position_ids must be [${d.batch},${d.seq}], got [${pos.join(',')}]`);
  }
  return { ...d, half };
}
