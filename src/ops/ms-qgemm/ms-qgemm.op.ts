import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { broadcastShapes, elementCount, sameShape } from '../../tensor/shape.js';
import { checkQuant8, checkScale, checkZeroPoint, QUANT8, required } from '../_kernels/qlinear.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput } from '../op.js';

/** Checks b's scale or zero point: one value, or one per column of B' (N). */
function checkPerColumn(t: InferInput, n: number, name: string): void {
  if (elementCount(t.shape) === 1 && t.shape.length <= 1) return;
  if (t.shape.length !== 1 || t.shape[0] !== n) {
    throw new ShapeError(`${name} of shape [${t.shape.join(',')}] must be a scalar or 1-D of ${n} elements (one per column of B')`);
  }
}

// Y = alpha · (A' − a_zp)·(B' − b_zp)·a_scale·b_scale + C·a_scale·b_scale, A' = transA ? Aᵀ : A and
// B' likewise, the product and the int32 C (broadcast to [M, N]) accumulated in int32. With
// y_scale and y_zero_point Y is quantized to y_zero_point's type; without y_zero_point Y is
// float32 (divided by y_scale when that alone is given, as onnxruntime does). a's scale and zero
// point are per tensor, b's per tensor or per column.
export const QGemm = defineOp({
  type: 'QGemm',
  domain: MS_DOMAIN,
  attrs: { alpha: attr.float(1), transA: attr.int(0), transB: attr.int(0) },
  inputs: [6, 9],
  outputs: [1, 1],
  dtypes: QUANT8,
  infer: ([a, aScale, aZero, b, bScale, bZero, c, yScale, yZero], at) => {
    checkQuant8(a!, 'A');
    checkQuant8(b!, 'B');
    if (a!.dtype === 'int8' && b!.dtype === 'uint8') {
      throw new UnsupportedError('QGemm with an int8 A takes an int8 B (onnxruntime has no int8 × uint8 kernel)');
    }
    if (a!.shape.length !== 2 || b!.shape.length !== 2) {
      throw new ShapeError(`A and B must be matrices, got [${a!.shape.join(',')}] and [${b!.shape.join(',')}]`);
    }
    const [m, k] = at.transA ? [a!.shape[1]!, a!.shape[0]!] : [a!.shape[0]!, a!.shape[1]!];
    const [kb, n] = at.transB ? [b!.shape[1]!, b!.shape[0]!] : [b!.shape[0]!, b!.shape[1]!];
    if (k !== kb) throw new ShapeError(`inner dims differ: A' is [${m},${k}], B' is [${kb},${n}]`);
    checkScale(aScale, 'a_scale');
    checkZeroPoint(required(aZero, 'a_zero_point'), a!.dtype, 'a_zero_point');
    if (required(bScale, 'b_scale').dtype !== 'float32') throw new ShapeError(`b_scale must be float32, got ${bScale!.dtype}`);
    checkPerColumn(bScale!, n, 'b_scale');
    if (required(bZero, 'b_zero_point').dtype !== b!.dtype) throw new ShapeError(`b_zero_point is ${bZero!.dtype} but B is ${b!.dtype}; they must have the same type`);
    checkPerColumn(bZero!, n, 'b_zero_point');
    if (c) {
      if (c.dtype !== 'int32') throw new ShapeError(`C must be int32, got ${c.dtype}`);
      if (c.shape.length > 2 || !sameShape(broadcastShapes(c.shape, [m, n]), [m, n])) {
        throw new ShapeError(`C [${c.shape.join(',')}] does not broadcast to [${m},${n}]`);
      }
    }
    if (yScale) checkScale(yScale, 'y_scale');
    if (yZero) {
      if (!yScale) throw new ShapeError('y_zero_point is given without y_scale; a quantized Y needs both');
      checkQuant8(yZero, 'y_zero_point');
      checkZeroPoint(yZero, yZero.dtype, 'y_zero_point');
    }
    return [{ dtype: yZero ? yZero.dtype : 'float32', shape: [m, n] }];
  },
});
