import { Tensor } from '../../tensor/tensor.js';
import { convGeometry, int32Conv, shiftFilters } from '../_kernels/int-conv.js';
import { roundHalfEven, saturateInt } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';
import type { QLinearConv } from './qlinearconv.op.js';

export const qlinearConvCpu: CpuKernel<typeof QLinearConv.attrs> = ([x, xScale, xZero, w, wScale, wZero, yScale, yZero, bias], attrs, [out]) => {
  const geometry = convGeometry(x!.shape, w!.shape, attrs);
  const filters = w!.shape[0]!;
  const xz = xZero!.numeric()[0]!;
  const xs = Int32Array.from(x!.numeric(), (v) => v - xz);
  const ws = shiftFilters(w!.numeric(), filters, wZero!.numeric());
  const acc = int32Conv(xs, x!.shape, ws, w!.shape, attrs.group, geometry);
  const xScaleV = xScale!.numeric()[0]!;
  const wScales = wScale!.numeric();
  const yScaleV = yScale!.numeric()[0]!;
  // Requantization factor per output channel, in float32 like the reference.
  const factors = Array.from({ length: filters }, (_, m) => Math.fround(Math.fround(xScaleV * wScales[wScales.length === 1 ? 0 : m]!) / yScaleV));
  const biases = bias?.numeric();
  const yz = yZero!.numeric()[0]!;
  const [min, max] = out!.dtype === 'int8' ? [-128, 127] : [0, 255];
  const plane = acc.length / (out!.shape[0]! * filters);
  const y = new Float64Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    const m = Math.floor(i / plane) % filters;
    const sum = (acc[i]! + (biases ? biases[m]! : 0)) | 0;
    y[i] = saturateInt(roundHalfEven(sum * factors[m]!) + yz, min, max);
  }
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
