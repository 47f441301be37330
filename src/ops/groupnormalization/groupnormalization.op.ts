import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { FLOAT_TYPES } from '../dtype-groups.js';
import { defineOp } from '../op.js';

// GroupNormalization: the C channels of X [N, C, ...] form num_groups groups; each (n, group) is
// normalized by its mean and (biased) variance, then y = scale · x̂ + bias per channel. Opset 21
// gives scale and bias per channel ([C]); opset 18 gave them per group ([num_groups]), and the
// import converter of opsets 18–20 marks that form (see onnx/import/converters/math.ts).
export const GroupNormalization = defineOp({
  type: 'GroupNormalization', domain: '',
  attrs: { epsilon: attr.float(1e-5), num_groups: attr.int(), stash_type: attr.int(1), nnrt_per_group: attr.int(0) },
  inputs: [3, 3], outputs: [1, 1], dtypes: FLOAT_TYPES,
  infer: ([x, scale, bias], { num_groups, stash_type, nnrt_per_group }) => {
    if (stash_type !== 1) throw new UnsupportedError(`stash_type ${stash_type} is not supported (only 1: float32)`);
    if (x!.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3 ([N, C, spatial…]), got [${x!.shape.join(',')}]`);
    const c = x!.shape[1]!;
    if (num_groups < 1 || c % num_groups !== 0) throw new ShapeError(`num_groups ${num_groups} does not divide the ${c} channels`);
    const want = nnrt_per_group ? num_groups : c;
    for (const [name, t] of [['scale', scale], ['bias', bias]] as const) {
      if (t!.shape.length !== 1 || t!.shape[0] !== want) {
        throw new ShapeError(`${name} must have shape [${want}] (${nnrt_per_group ? 'one per group, opset 18' : 'one per channel'}), got [${t!.shape.join(',')}]`);
      }
    }
    return [{ dtype: x!.dtype, shape: [...x!.shape] }];
  },
});
