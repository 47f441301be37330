import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkHeads } from '../_kernels/attention.js';
import { defineOp } from '../op.js';

// FlexAttention (ai.onnx.preview, version 1; models of opset 26): Y = softmax(scale · Q·Kᵀ) · V
// over 4-D [batch, heads, seq, head_size] inputs, query heads sharing kv heads in groups;
// scale defaults to 1/√head_size. The score_mod / prob_mod subgraph attributes are not supported
// (the importer reads them, but this kernel runs no subgraphs: such a node is refused with a GraphError); softmax runs in float64 whatever softmax_precision.
export const FlexAttention = defineOp({
  type: 'FlexAttention',
  domain: 'ai.onnx.preview',
  attrs: { scale: attr.optional(attr.float()), softmax_precision: attr.optional(attr.int()) },
  inputs: [3, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  infer: ([q, k, v]) => {
    if (q!.shape.length !== 4 || k!.shape.length !== 4 || v!.shape.length !== 4) {
      throw new ShapeError(`Q, K and V must be 4-D, got [${q!.shape.join(',')}], [${k!.shape.join(',')}], [${v!.shape.join(',')}]`);
    }
    const [b, hq, l, e] = q!.shape as [number, number, number, number];
    if (k!.shape[0] !== b || v!.shape[0] !== b) throw new ShapeError('Q, K and V batch sizes differ');
    if (k!.shape[3] !== e) throw new ShapeError(`K's head size ${k!.shape[3]} differs from Q's ${e}`);
    if (v!.shape[1] !== k!.shape[1] || v!.shape[2] !== k!.shape[2]) throw new ShapeError('K and V must share head count and sequence length');
    checkHeads(hq, k!.shape[1]!);
    return [{ dtype: q!.dtype, shape: [b, hq, l, v!.shape[3]!] }];
  },
});
