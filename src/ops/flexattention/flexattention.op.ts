import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkHeads } from '../_kernels/attention.js';
import { defineOp } from '../op.js';
import { checkModifier, softmaxPrecision } from './flexattention.modifiers.js';

// FlexAttention (ai.onnx.preview, version 1; models of opset 26), as released in ONNX 1.22:
//   Y = prob_mod(softmax(score_mod(scale · Q·Kᵀ))) · V
// over 4-D [batch, heads, seq, head_size] inputs, query heads sharing kv heads in groups; scale
// defaults to 1/√head_size. score_mod and prob_mod are optional subgraphs over the whole
// [B, Hq, L, S] tensor (flexattention.modifiers.ts); the softmax itself runs in float64 whatever
// softmax_precision, which sets the type the modifiers see.
export const FlexAttention = defineOp({
  type: 'FlexAttention',
  domain: 'ai.onnx.preview',
  attrs: {
    scale: attr.optional(attr.float()),
    softmax_precision: attr.optional(attr.int()),
    score_mod: attr.optional(attr.graph()),
    prob_mod: attr.optional(attr.graph()),
    // not an attribute of the released op: parsed only so that a node carrying it is refused by name
    mask_mod: attr.optional(attr.graph()),
  },
  inputs: [3, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([q, k, v], a) => {
    if (q!.shape.length !== 4 || k!.shape.length !== 4 || v!.shape.length !== 4) {
      throw new ShapeError(`Q, K and V must be 4-D, got [${q!.shape.join(',')}], [${k!.shape.join(',')}], [${v!.shape.join(',')}]`);
    }
    const [b, hq, l, e] = q!.shape as [number, number, number, number];
    if (k!.shape[0] !== b || v!.shape[0] !== b) throw new ShapeError('Q, K and V batch sizes differ');
    if (k!.shape[3] !== e) throw new ShapeError(`K's head size ${k!.shape[3]} differs from Q's ${e}`);
    if (v!.shape[1] !== k!.shape[1] || v!.shape[2] !== k!.shape[2]) throw new ShapeError('K and V must share head count and sequence length');
    checkHeads(hq, k!.shape[1]!);
    if (a.mask_mod) {
      throw new UnsupportedError("attribute 'mask_mod' is not part of FlexAttention as released (ONNX 1.22 defines scale, softmax_precision, score_mod and prob_mod); only drafts had it, in more than one form", {
        hint: 'write the mask into score_mod instead: -inf where a query may not see a key',
      });
    }
    const precision = softmaxPrecision(a.softmax_precision);
    const scores = { dtype: precision.dtype, shape: [b, hq, l, k!.shape[2]!] };
    if (a.score_mod) checkModifier(a.score_mod, 'score_mod', scores);
    if (a.prob_mod) checkModifier(a.prob_mod, 'prob_mod', scores);
    return [{ dtype: q!.dtype, shape: [b, hq, l, v!.shape[3]!] }];
  },
});
