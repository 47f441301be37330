// The attention masks of onnxruntime's com.microsoft attention ops. A masked key gets the additive
// bias mask_filter_value (−10000 by default, not −∞: a fully masked row stays a uniform softmax).
// Key masks (int32): [batch] valid key lengths (keys j ≥ len masked); [2·batch] exclusive ends then
// inclusive starts; [batch, total] or [batch, q_seq, total] with 0 = masked. unidirectional masks
// key j for query i when j > past_len + i. attention_bias [batch|1, heads|1, q_seq, total] is added.
import { ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { InferInput } from '../op.js';

export interface MsMaskDims { batch: number; heads: number; qLen: number; total: number; pastLen: number }

export function checkKeyMask(m: InferInput | undefined, d: Omit<MsMaskDims, 'heads' | 'pastLen'>, name: string, allowStartEnd: boolean): void {
  if (!m) return;
  if (m.dtype !== 'int32') throw new ShapeError(`${name} must be int32, got ${m.dtype}`);
  const s = m.shape.join(',');
  const ok = s === `${d.batch}` || (allowStartEnd && s === `${2 * d.batch}`) || s === `${d.batch},${d.total}` || s === `${d.batch},${d.qLen},${d.total}`;
  if (!ok) {
    throw new ShapeError(`${name} [${s}] is not a supported layout: [${d.batch}], ${allowStartEnd ? `[${2 * d.batch}], ` : ''}[${d.batch},${d.total}] or [${d.batch},${d.qLen},${d.total}]`);
  }
}

export function checkAttentionBias(t: InferInput | undefined, d: Omit<MsMaskDims, 'pastLen'>): void {
  if (!t) return;
  const [b, h, q, k] = t.shape;
  if (t.shape.length !== 4 || (b !== 1 && b !== d.batch) || (h !== 1 && h !== d.heads) || q !== d.qLen || k !== d.total) {
    throw new ShapeError(`attention_bias must be [${d.batch} or 1, ${d.heads} or 1, ${d.qLen}, ${d.total}], got [${t.shape.join(',')}]`);
  }
}

/** The row-bias function for scaledDotProductAttention; undefined when nothing masks. */
export function msMaskBias(
  d: MsMaskDims, filter: number, opts: { keyMask?: Tensor; unidirectional?: boolean; attentionBias?: Tensor },
) {
  const { keyMask, unidirectional, attentionBias } = opts;
  if (!keyMask && !unidirectional && !attentionBias) return undefined;
  const m = keyMask?.numeric();
  const ab = attentionBias?.numeric();
  const abB = attentionBias?.shape[0] === 1 ? 0 : 1;
  const abH = attentionBias?.shape[1] === 1 ? 0 : 1;
  return (b: number, h: number, i: number, row: Float64Array) => {
    for (let j = 0; j < d.total; j++) {
      let masked = !!unidirectional && j > d.pastLen + i;
      if (m) {
        const r = keyMask!.rank;
        if (r === 1 && keyMask!.shape[0] === d.batch) masked ||= j >= m[b]!;
        else if (r === 1) masked ||= j >= m[b]! || j < m[d.batch + b]!;
        else if (r === 2) masked ||= m[b * d.total + j] === 0;
        else masked ||= m[(b * d.qLen + i) * d.total + j] === 0;
      }
      row[j] = masked ? filter : 0;
    }
    if (ab) {
      const at = ((b * abB * attentionBias!.shape[1]! + h * abH) * d.qLen + i) * d.total;
      for (let j = 0; j < d.total; j++) row[j] = row[j]! + ab[at + j]!;
    }
  };
}
