import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp } from '../op.js';

// EmbedLayerNormalization (BERT's embedding block): for token (b, s),
//   e = word_embedding[input_ids] + position_embedding[position_ids or s] (+ segment_embedding[segment_ids])
//   output = LayerNorm(e) · gamma + beta over the hidden size, ε = epsilon.
// Output 1, mask_index [batch] int32: the number of non-zero entries of mask's row (0 without a
// mask); output 2, embedding_sum: e before normalization.
export const EmbedLayerNormalization = defineOp({
  type: 'EmbedLayerNormalization',
  domain: MS_DOMAIN,
  attrs: { epsilon: attr.float(1e-12), mask_index_type: attr.int(1) },
  inputs: [7, 9],
  outputs: [1, 3],
  dtypes: ['int32'],
  infer: (ins, _a, outputCount) => {
    const [ids, seg, word, pos, segEmb, gamma, beta, mask, posIds] = ins;
    if (ids!.shape.length !== 2) throw new ShapeError(`input_ids must be [batch, seq], got [${ids!.shape.join(',')}]`);
    const [b, s] = ids!.shape as [number, number];
    for (const [n, t] of [['segment_ids', seg], ['mask', mask]] as const) {
      if (t && t.shape.join(',') !== `${b},${s}`) throw new ShapeError(`${n} must be [${b},${s}], got [${t.shape.join(',')}]`);
    }
    if (posIds && (posIds.shape.length !== 2 || posIds.shape[1] !== s || (posIds.shape[0] !== b && posIds.shape[0] !== 1))) {
      throw new ShapeError(`position_ids must be [${b},${s}] or [1,${s}], got [${posIds.shape.join(',')}]`);
    }
    if (!!seg !== !!segEmb) throw new ShapeError('segment_ids and segment_embedding must be given together');
    const h = word!.shape[1];
    for (const [n, t] of [['word_embedding', word], ['position_embedding', pos], ['segment_embedding', segEmb]] as const) {
      if (t && (t.shape.length !== 2 || t.shape[1] !== h)) throw new ShapeError(`${n} must be [rows, ${h}], got [${t.shape.join(',')}]`);
    }
    for (const [n, t] of [['gamma', gamma], ['beta', beta]] as const) {
      if (t!.shape.length !== 1 || t!.shape[0] !== h) throw new ShapeError(`${n} must be [${h}], got [${t!.shape.join(',')}]`);
    }
    const dtype = word!.dtype;
    const out = [{ dtype, shape: [b, s, h!] }];
    if (outputCount > 1) out.push({ dtype: 'int32', shape: [b] });
    if (outputCount > 2) out.push({ dtype, shape: [b, s, h!] });
    return out;
  },
});
