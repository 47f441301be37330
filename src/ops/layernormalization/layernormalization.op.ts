import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { broadcastShapes, normalizeAxis, sameShape } from '../../tensor/shape.js';
import { defineOp } from '../op.js';

// Normalizes over dims [axis, rank): Y = (X − mean) · InvStdDev · Scale + B, InvStdDev =
// 1/√(var + epsilon) (biased var). Scale and B broadcast to X.shape[axis:]. Mean and InvStdDev
// keep X's rank with the normalized dims set to 1, in float32 (stash_type 1).
export const LayerNormalization = defineOp({
  type: 'LayerNormalization',
  domain: '',
  attrs: { axis: attr.int(-1), epsilon: attr.float(1e-5), stash_type: attr.int(1) },
  inputs: [2, 3],
  outputs: [1, 3],
  dtypes: ['float32', 'float16'],
  infer: ([x, scale, b], a, outputCount) => {
    if (a.stash_type !== 1) throw new UnsupportedError(`stash_type ${a.stash_type} is not supported (only 1: float32)`);
    const axis = normalizeAxis(a.axis, x!.shape.length);
    const normalized = x!.shape.slice(axis);
    for (const [name, t] of [['Scale', scale], ['B', b]] as const) {
      if (t && !sameShape(broadcastShapes(t.shape, normalized), normalized)) {
        throw new ShapeError(`${name} [${t.shape.join(',')}] does not broadcast to the normalized dims [${normalized.join(',')}]`);
      }
    }
    const statShape = x!.shape.map((d, i) => (i < axis ? d : 1));
    const out = [{ dtype: x!.dtype, shape: [...x!.shape] }];
    for (let i = 1; i < outputCount; i++) out.push({ dtype: 'float32', shape: [...statShape] });
    return out;
  },
});
