import { Tensor } from '../../tensor/tensor.js';
import { int32MatMul, laneParam, subtractZeroPoint } from '../_kernels/int-matmul.js';
import { roundHalfEven, roundingOf, saturateInt } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';
import type { QLinearMatMul } from './qlinearmatmul.op.js';

export const qlinearMatMulCpu: CpuKernel<typeof QLinearMatMul.attrs> = ([a, aScale, aZero, b, bScale, bZero, yScale, yZero], _attrs, [out]) => {
  const aLanes = laneParam(aZero!.shape, a!.shape, 'a', 'a_zero_point');
  const bLanes = laneParam(bZero!.shape, b!.shape, 'b', 'b_zero_point');
  const acc = int32MatMul(
    subtractZeroPoint(a!.numeric(), a!.shape, aZero!.numeric(), aLanes, 'a'), a!.shape,
    subtractZeroPoint(b!.numeric(), b!.shape, bZero!.numeric(), bLanes, 'b'), b!.shape, out!.shape,
  );
  const rows = a!.rank > 1 ? a!.shape[a!.rank - 2]! : 1;
  const cols = b!.rank > 1 ? b!.shape[b!.rank - 1]! : 1;
  const as = aScale!.numeric();
  const bs = bScale!.numeric();
  const perRow = as.length > 1;
  const perCol = bs.length > 1;
  // The requantization factor is computed in the scales' float type, as the ONNX reference does.
  const round = roundingOf(aScale!.dtype);
  const ys = yScale!.numeric()[0]!;
  const yz = yZero!.numeric()[0]!;
  const [min, max] = out!.dtype === 'int8' ? [-128, 127] : [0, 255];
  const y = new Float64Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    const n = i % cols;
    const m = Math.floor(i / cols) % rows;
    const factor = round(round(as[perRow ? m : 0]! * bs[perCol ? n : 0]!) / ys);
    y[i] = saturateInt(roundHalfEven(acc[i]! * factor) + yz, min, max);
  }
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
