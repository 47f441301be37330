import { Tensor } from '../../tensor/tensor.js';
import { int32MatMul, laneParam, subtractZeroPoint } from '../_kernels/int-matmul.js';
import type { CpuKernel } from '../op.js';
import type { MatMulInteger } from './matmulinteger.op.js';

export const matMulIntegerCpu: CpuKernel<typeof MatMulInteger.attrs> = ([a, b, aZero, bZero], _attrs, [out]) => {
  const aShifted = subtractZeroPoint(a!.numeric(), a!.shape, aZero?.numeric(), aZero ? laneParam(aZero.shape, a!.shape, 'a', 'a_zero_point') : 'tensor', 'a');
  const bShifted = subtractZeroPoint(b!.numeric(), b!.shape, bZero?.numeric(), bZero ? laneParam(bZero.shape, b!.shape, 'b', 'b_zero_point') : 'tensor', 'b');
  return [new Tensor('int32', out!.shape, int32MatMul(aShifted, a!.shape, bShifted, b!.shape, out!.shape))];
};
