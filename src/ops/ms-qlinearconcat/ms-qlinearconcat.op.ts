import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkQuant8, checkScale, checkZeroPoint } from '../_kernels/qlinear.js';
import { Concat } from '../concat/concat.op.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput } from '../op.js';

// Y = Concat(requantize(X_i) along axis), the inputs Y_scale, Y_zero_point, then one (X_i,
// X_i_scale, X_i_zero_point) triple per tensor, all required; every tensor and zero point has
// Y_zero_point's type (int8 or uint8) and every scale is a per-tensor float32.
export const QLinearConcat = defineOp({
  type: 'QLinearConcat',
  domain: MS_DOMAIN,
  attrs: { axis: attr.int() },
  inputs: [5, Infinity],
  outputs: [1, 1],
  dtypes: ['float32'], // input 0 is Y_scale
  infer: (inputs, { axis }) => {
    if ((inputs.length - 2) % 3 !== 0) {
      throw new ShapeError(`QLinearConcat takes Y_scale, Y_zero_point and then (X, X_scale, X_zero_point) triples; got ${inputs.length} inputs`);
    }
    const [yScale, yZero] = inputs;
    checkScale(yScale, 'Y_scale');
    checkQuant8(yZero, 'Y_zero_point');
    const dtype = yZero!.dtype;
    checkZeroPoint(yZero, dtype, 'Y_zero_point');
    const xs: InferInput[] = [];
    for (let i = 2; i < inputs.length; i += 3) {
      const [x, s, z] = [inputs[i], inputs[i + 1], inputs[i + 2]];
      const k = (i - 2) / 3;
      if (!x || !s || !z) throw new ShapeError(`tensor ${k}'s triple (inputs ${i} to ${i + 2}) has an omitted input; all three are required`);
      if (x.dtype !== dtype) throw new ShapeError(`tensor ${k} (input ${i}) is ${x.dtype} but Y_zero_point is ${dtype}; they must have the same type`);
      checkScale(s, `the scale of tensor ${k} (input ${i + 1})`);
      checkZeroPoint(z, dtype, `the zero point of tensor ${k} (input ${i + 2})`);
      xs.push(x);
    }
    return Concat.infer(xs, { axis }, 1);
  },
});
