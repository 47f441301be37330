import { Tensor } from '../../tensor/tensor.js';
import { axisView, floatRounding, forEachQuantized, integerRange, paramLayout, quantAxis, roundHalfEven, roundingOf, saturateInt } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';
import { quantizeTarget, type QuantizeLinear } from './quantizelinear.op.js';

export const quantizeLinearCpu: CpuKernel<typeof QuantizeLinear.attrs> = ([x, scale, zeroPoint], attrs, [out]) => {
  const target = quantizeTarget(attrs.output_dtype, zeroPoint?.dtype);
  const axis = quantAxis(attrs.axis, x!.shape, [scale!.shape, zeroPoint?.shape]);
  const view = axisView(x!.shape, axis, attrs.block_size);
  const sLayout = paramLayout(scale!.shape, x!.shape, axis, attrs.block_size, 'y_scale');
  const zLayout = zeroPoint ? paramLayout(zeroPoint.shape, x!.shape, axis, attrs.block_size, 'y_zero_point') : { o: 0, a: 0, j: 0 };
  // The division runs in `precision` when given, else in the wider of x's and the scale's float type.
  const divide = attrs.precision
    ? floatRounding(attrs.precision, 'precision')
    : roundingOf(x!.dtype === 'float16' && scale!.dtype === 'float16' ? 'float16' : 'float32');
  const xs = x!.numeric();
  const ss = scale!.numeric();
  const zs = zeroPoint ? zeroPoint.numeric() : new Float32Array(1);
  const y = new Float64Array(xs.length);
  const quotient = (i: number, si: number) => divide(divide(xs[i]!) / divide(ss[si]!));
  if (target.integer) {
    const [min, max] = integerRange(target.integer);
    forEachQuantized(view, sLayout, zLayout, (i, si, zi) => {
      y[i] = saturateInt(roundHalfEven(quotient(i, si)) + zs[zi]!, min, max);
    });
  } else {
    // float8/float4: round onto the format's values; `saturate` clamps overflow to ±max (float8 only)
    const opts = { saturate: attrs.saturate !== 0, roundMode: 'nearest' } as const;
    forEachQuantized(view, sLayout, zLayout, (i, si, zi) => {
      y[i] = target.round(quotient(i, si) + zs[zi]!, opts);
    });
  }
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
