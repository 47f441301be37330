import { ShapeError } from '../../errors.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { checkQuant8, checkScale, checkZeroPoint, QUANT8, required } from '../_kernels/qlinear.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp, type InferInput, type OpDef, type TensorType } from '../op.js';

/** A, B and C are int8 or uint8 alike, each with a per-tensor float32 scale and an optional zero point. */
function qlinearBinaryType([a, aScale, aZero, b, bScale, bZero, cScale, cZero]: readonly (InferInput | undefined)[]): TensorType[] {
  checkQuant8(a!, 'A');
  if (required(b, 'B').dtype !== a!.dtype) throw new ShapeError(`B is ${b!.dtype} but A is ${a!.dtype}; they must have the same type`);
  checkScale(aScale, 'A_scale');
  checkScale(bScale, 'B_scale');
  checkScale(cScale, 'C_scale');
  checkZeroPoint(aZero, a!.dtype, 'A_zero_point');
  checkZeroPoint(bZero, a!.dtype, 'B_zero_point');
  checkZeroPoint(cZero, a!.dtype, 'C_zero_point');
  return [{ dtype: a!.dtype, shape: broadcastShapes(a!.shape, b!.shape) }];
}

const qlinearBinary = (type: string): OpDef<Record<string, never>> => defineOp({
  type, domain: MS_DOMAIN, attrs: {}, inputs: [7, 8], outputs: [1, 1], dtypes: QUANT8, infer: qlinearBinaryType,
});

// C = saturate(round_half_even((A_scale·(A − A_zp) + B_scale·(B − B_zp)) / C_scale) + C_zp), with
// numpy broadcasting; omitted zero points are 0. The output has A's type.
export const QLinearAdd = qlinearBinary('QLinearAdd');

// C = saturate(round_half_even((A − A_zp)·(B − B_zp)·A_scale·B_scale / C_scale) + C_zp), with
// numpy broadcasting; omitted zero points are 0. The output has A's type.
export const QLinearMul = qlinearBinary('QLinearMul');
