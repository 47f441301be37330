// onnxruntime's QLinearAveragePool: X dequantized to float32, each window summed in float32 in
// row-major tap order and divided by its count, the mean quantized as round(mean / y_scale + y_zp).
// A window covering the whole unpadded image takes the integer global-average path instead.
import { elementCount } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { poolTable } from '../_kernels/pool.js';
import { range8, scalarOf } from '../_kernels/qlinear.js';
import { roundHalfEven, saturateInt } from '../_kernels/quant.js';
import { windowOf, windowPads } from '../_kernels/window.js';
import { quantizedPlaneMeans } from '../ms-qlinearglobalaveragepool/ms-qlinearglobalaveragepool.cpu.js';
import type { CpuKernel } from '../op.js';
import { channelsFirst, type QLinearAveragePool } from './ms-qlinearaveragepool.op.js';

const f = Math.fround;

export const qlinearAveragePoolCpu: CpuKernel<typeof QLinearAveragePool.attrs> = ([x, xScale, xZero, yScale, yZero], a, [out]) => {
  const last = a.channels_last !== 0;
  const [batch, channels, ...image] = channelsFirst(x!.shape, last) as [number, number, ...number[]];
  const windows = channelsFirst(out!.shape, last).slice(2);
  const window = windowOf({ ...a, dilations: undefined }, a.kernel_shape);
  const pads = windowPads(image, windows, window);
  const p = { xScale: scalarOf(xScale), xZero: scalarOf(xZero), yScale: scalarOf(yScale), yZero: scalarOf(yZero) };
  const imageSize = elementCount(image);
  if (image.every((d, i) => d === window.kernel[i]) && pads.every((v) => v === 0)) {
    return [Tensor.fromNumeric(out!.dtype, out!.shape, quantizedPlaneMeans(x!.numeric(), batch, channels, imageSize, last, p, x!.dtype))];
  }
  const xs = x!.numeric();
  const X = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) X[i] = p.xScale * (xs[i]! - p.xZero);
  const { starts, offsets } = poolTable(image, windows, window, pads);
  const kernelSize = elementCount(window.kernel);
  const [min, max] = range8(out!.dtype);
  const P = elementCount(windows);
  // NCHW: a plane's taps are contiguous; NHWC: channels interleave (tap stride C)
  const [tapStride, cStride] = last ? [channels, 1] : [1, imageSize];
  const [yC, yP] = last ? [1, channels] : [P, 1];
  const y = new Float64Array(batch * channels * P);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const xAt = n * channels * imageSize + c * cStride;
      const yAt = n * channels * P + c * yC;
      for (let q = 0; q < P; q++) {
        let sum = 0;
        for (let t = starts[q]!; t < starts[q + 1]!; t++) sum = f(sum + X[xAt + offsets[t]! * tapStride]!);
        const count = a.count_include_pad ? kernelSize : starts[q + 1]! - starts[q]!;
        const mean = count > 0 ? f(sum / count) : 0;
        y[yAt + q * yP] = saturateInt(roundHalfEven(f(f(mean / p.yScale) + p.yZero)), min, max);
      }
    }
  }
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
