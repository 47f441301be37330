import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { DTYPE_ELEMENT_TYPE, elementTypeName } from '../../tensor/element-type.js';
import { ALL_TYPES } from '../dtype-groups.js';
import { castTarget } from '../cast/cast.op.js';
import { defineOp } from '../op.js';
import { BITCAST_BYTES } from './bitcast-bytes.js';

// BitCast-26: the input's bytes read as element type `to` (an ONNX type code) of the same width;
// the shape is unchanged. `nnrt_from` is the input's declared ONNX type where nnrt holds it widened
// (set on import); without it the input's type is its dtype's own ONNX type.
export const BitCast = defineOp({
  type: 'BitCast', domain: '', attrs: { to: attr.int(), nnrt_from: attr.optional(attr.int()) },
  inputs: [1, 1], outputs: [1, 1], dtypes: ALL_TYPES,
  infer: ([x], { to, nnrt_from }) => {
    const from = nnrt_from ?? DTYPE_ELEMENT_TYPE[x!.dtype];
    for (const code of [from, to]) {
      if (!BITCAST_BYTES.has(code)) throw new UnsupportedError(`BitCast of ${elementTypeName(code)} is not supported (float8 and 2/4-bit types have no byte codec here)`);
    }
    if (BITCAST_BYTES.get(from)!.bytes !== BITCAST_BYTES.get(to)!.bytes) {
      throw new ShapeError(`BitCast needs types of one width: ${elementTypeName(from)} has ${BITCAST_BYTES.get(from)!.bytes} bytes, ${elementTypeName(to)} ${BITCAST_BYTES.get(to)!.bytes}`);
    }
    return [{ dtype: castTarget(to).dtype, shape: [...x!.shape] }];
  },
});
