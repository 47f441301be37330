import { Tensor } from '../../tensor/tensor.js';
import { axisView, forEachQuantized, paramLayout, quantAxis } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';
import type { DequantizeLinear } from './dequantizelinear.op.js';

export const dequantizeLinearCpu: CpuKernel<typeof DequantizeLinear.attrs> = ([x, scale, zeroPoint], attrs, [out]) => {
  const axis = quantAxis(attrs.axis, x!.shape, [scale!.shape, zeroPoint?.shape]);
  const view = axisView(x!.shape, axis, attrs.block_size);
  const sLayout = paramLayout(scale!.shape, x!.shape, axis, attrs.block_size, 'x_scale');
  const zLayout = zeroPoint ? paramLayout(zeroPoint.shape, x!.shape, axis, attrs.block_size, 'x_zero_point') : { o: 0, a: 0, j: 0 };
  const xs = x!.numeric();
  const ss = scale!.numeric();
  const zs = zeroPoint ? zeroPoint.numeric() : new Float32Array(1);
  // Computed in float32 like the ONNX reference; a float16 output rounds once more on storage.
  const y = new Float32Array(xs.length);
  forEachQuantized(view, sLayout, zLayout, (i, si, zi) => {
    y[i] = Math.fround(xs[i]! - zs[zi]!) * ss[si]!;
  });
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
