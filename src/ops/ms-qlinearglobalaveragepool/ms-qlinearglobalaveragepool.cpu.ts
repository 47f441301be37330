// onnxruntime averages quantized planes in integers: Σ(x − x_zp) in int32, then one requantizing
// multiply by x_scale / (y_scale · size) in float32. QLinearAveragePool takes this path too when
// its window covers the whole unpadded image.
import type { DType, NumericArray } from '../../tensor/dtype.js';
import { elementCount } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { range8, scalarOf } from '../_kernels/qlinear.js';
import { roundHalfEven, saturateInt } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';
import type { QLinearGlobalAveragePool } from './ms-qlinearglobalaveragepool.op.js';

export interface QuantParams {
  xScale: number;
  xZero: number;
  yScale: number;
  yZero: number;
}

/**
 * The quantized means of the `channels` planes of `size` values in each of `batch` images, NCHW
 * or NHWC; the result is [batch, channels] in either case.
 */
export function quantizedPlaneMeans(
  x: NumericArray, batch: number, channels: number, size: number, channelsLast: boolean, p: QuantParams, dtype: DType,
): Float64Array {
  const [min, max] = range8(dtype);
  const scale = Math.fround(p.xScale / Math.fround(p.yScale * size));
  const y = new Float64Array(batch * channels);
  const [cStep, sStep] = channelsLast ? [1, channels] : [size, 1];
  for (let n = 0; n < batch; n++) {
    const image = n * channels * size;
    for (let c = 0; c < channels; c++) {
      let acc = -p.xZero * size;
      for (let s = 0, at = image + c * cStep; s < size; s++, at += sStep) acc += x[at]!;
      y[n * channels + c] = saturateInt(roundHalfEven(Math.fround(Math.fround(acc | 0) * scale)) + p.yZero, min, max);
    }
  }
  return y;
}

export const qlinearGlobalAveragePoolCpu: CpuKernel<typeof QLinearGlobalAveragePool.attrs> = ([x, xScale, xZero, yScale, yZero], { channels_last }, [out]) => {
  const s = x!.shape;
  const channels = channels_last ? s.at(-1)! : s[1]!;
  const size = channels_last ? elementCount(s.slice(1, -1)) : elementCount(s.slice(2));
  const p = { xScale: scalarOf(xScale), xZero: scalarOf(xZero), yScale: scalarOf(yScale), yZero: scalarOf(yZero) };
  return [Tensor.fromNumeric(out!.dtype, out!.shape, quantizedPlaneMeans(x!.numeric(), s[0]!, channels, size, channels_last !== 0, p, x!.dtype))];
};
