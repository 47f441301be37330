import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkHeads } from '../_kernels/attention.js';
import { defineOp, type InferInput } from '../op.js';

export type UpdateRule = 'linear' | 'gated' | 'delta' | 'gated_delta';

// LinearAttention (opset 27): a recurrent state S [batch, kv_heads, d_k, d_v] replaces softmax
// attention. Per step t, for each kv head: S ← S·exp(decay_t) (gated rules), v_t ←
// β_t·(v_t − Sᵀk_t) (delta rules), S ← S + k_t ⊗ v_t; query head h reads
// o_t = scale · q_tᵀ S of kv head ⌊h / group⌋. query/key/value are [batch, T, heads·dim];
// decay is [batch, T, kv_heads] or [batch, T, kv_heads·d_k]; beta [batch, T, kv_heads or 1].
// scale 0 means 1/√d_k. present_state is S after the last step (float32 math throughout).
export const LinearAttention = defineOp({
  type: 'LinearAttention',
  domain: '',
  attrs: {
    chunk_size: attr.int(64),
    kv_num_heads: attr.int(),
    q_num_heads: attr.int(),
    scale: attr.float(0),
    update_rule: attr.string<UpdateRule>('gated_delta', ['linear', 'gated', 'delta', 'gated_delta']),
  },
  inputs: [3, 6],
  outputs: [1, 2],
  dtypes: ['float32', 'float16'],
  infer: (ins, a, outputCount) => {
    const d = linearAttentionDims(ins, a);
    const out = [{ dtype: ins[0]!.dtype, shape: [d.batch, d.len, a.q_num_heads * d.dv] }];
    if (outputCount > 1) out.push({ dtype: ins[3]?.dtype ?? ins[0]!.dtype, shape: [d.batch, a.kv_num_heads, d.dk, d.dv] });
    return out;
  },
});

export interface LinearAttentionDims { batch: number; len: number; dk: number; dv: number; decayPerDim: boolean; betaHeads: number }

export function linearAttentionDims(
  [q, k, v, past, decay, beta]: readonly (InferInput | undefined)[],
  a: { q_num_heads: number; kv_num_heads: number; update_rule: UpdateRule },
): LinearAttentionDims {
  checkHeads(a.q_num_heads, a.kv_num_heads);
  for (const [n, t] of [['query', q], ['key', k], ['value', v]] as const) {
    if (t!.shape.length !== 3) throw new ShapeError(`${n} must be [batch, T, heads·dim], got [${t!.shape.join(',')}]`);
  }
  const [batch, len, qh] = q!.shape as [number, number, number];
  if (qh % a.q_num_heads !== 0) throw new ShapeError(`query's last dim ${qh} is not divisible by q_num_heads ${a.q_num_heads}`);
  const dk = qh / a.q_num_heads;
  if (k!.shape[2] !== a.kv_num_heads * dk) throw new ShapeError(`key's last dim must be kv_num_heads·d_k = ${a.kv_num_heads * dk}, got ${k!.shape[2]}`);
  if (v!.shape[2]! % a.kv_num_heads !== 0) throw new ShapeError(`value's last dim ${v!.shape[2]} is not divisible by kv_num_heads ${a.kv_num_heads}`);
  const dv = v!.shape[2]! / a.kv_num_heads;
  for (const t of [k, v, decay, beta]) {
    if (t && (t.shape[0] !== batch || t.shape[1] !== len)) throw new ShapeError(`every sequence input must be [${batch}, ${len}, ...], got [${t.shape.join(',')}]`);
  }
  const gated = a.update_rule === 'gated' || a.update_rule === 'gated_delta';
  const delta = a.update_rule === 'delta' || a.update_rule === 'gated_delta';
  if (gated !== !!decay) throw new ShapeError(`update_rule '${a.update_rule}' ${gated ? 'requires' : 'forbids'} the decay input`);
  if (delta !== !!beta) throw new ShapeError(`update_rule '${a.update_rule}' ${delta ? 'requires' : 'forbids'} the beta input`);
  if (decay && (decay.shape.length !== 3 || (decay.shape[2] !== a.kv_num_heads && decay.shape[2] !== a.kv_num_heads * dk))) {
    throw new ShapeError(`decay must be [${batch}, ${len}, ${a.kv_num_heads}] or [${batch}, ${len}, ${a.kv_num_heads * dk}], got [${decay.shape.join(',')}]`);
  }
  if (beta && (beta.shape.length !== 3 || (beta.shape[2] !== a.kv_num_heads && beta.shape[2] !== 1))) {
    throw new ShapeError(`beta must be [${batch}, ${len}, ${a.kv_num_heads} or 1], got [${beta.shape.join(',')}]`);
  }
  const want = [batch, a.kv_num_heads, dk, dv];
  if (past && past.shape.join(',') !== want.join(',')) throw new ShapeError(`past_state must be [${want.join(',')}], got [${past.shape.join(',')}]`);
  return { batch, len, dk, dv, decayPerDim: !!decay && decay.shape[2] !== a.kv_num_heads, betaHeads: beta?.shape[2] ?? 0 };
}
