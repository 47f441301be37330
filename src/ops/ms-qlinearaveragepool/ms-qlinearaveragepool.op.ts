import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { checkQuant8, checkScale, checkZeroPoint, QUANT8 } from '../_kernels/qlinear.js';
import { AUTO_PAD, pooledType, type AutoPad } from '../_kernels/window.js';
import { MS_DOMAIN } from '../ms-domain.js';
import { defineOp } from '../op.js';

/** X's shape as [N, C, spatial…] (moving C from the end when channels_last). */
export function channelsFirst(shape: readonly number[], channelsLast: boolean): number[] {
  return channelsLast ? [shape[0]!, shape.at(-1)!, ...shape.slice(1, -1)] : [...shape];
}

/** [N, C, spatial…] back to X's layout. */
export function channelsBack(shape: readonly number[], channelsLast: boolean): number[] {
  return channelsLast ? [shape[0]!, ...shape.slice(2), shape[1]!] : [...shape];
}

// Y = quantize(AveragePool(dequantize(X))) with AveragePool's window attributes (no dilations), X
// [N, C, D1…Dr] or, with channels_last, [N, D1…Dr, C], r = 1 to 3. count_include_pad divides by
// the whole kernel size, as onnxruntime does. Scales per tensor; omitted zero points are 0.
export const QLinearAveragePool = defineOp({
  type: 'QLinearAveragePool',
  domain: MS_DOMAIN,
  attrs: {
    auto_pad: attr.string<AutoPad>('NOTSET', AUTO_PAD),
    ceil_mode: attr.int(0),
    channels_last: attr.int(0),
    count_include_pad: attr.int(0),
    kernel_shape: attr.ints(),
    pads: attr.optional(attr.ints()),
    strides: attr.optional(attr.ints()),
  },
  inputs: [4, 5],
  outputs: [1, 1],
  dtypes: QUANT8,
  infer: ([x, xScale, xZero, yScale, yZero], a) => {
    checkQuant8(x!, 'X');
    checkScale(xScale, 'x_scale');
    checkScale(yScale, 'y_scale');
    checkZeroPoint(xZero, x!.dtype, 'x_zero_point');
    checkZeroPoint(yZero, x!.dtype, 'y_zero_point');
    if (x!.shape.length < 3) throw new ShapeError(`X must have rank ≥ 3, got [${x!.shape.join(',')}]`);
    if (x!.shape.length > 5) throw new UnsupportedError(`QLinearAveragePool pools 1 to 3 spatial dims (as onnxruntime does); X [${x!.shape.join(',')}] has ${x!.shape.length - 2}`);
    const view = { dtype: x!.dtype, shape: channelsFirst(x!.shape, a.channels_last !== 0) };
    const pooled = pooledType(view, { ...a, dilations: undefined });
    return [{ dtype: x!.dtype, shape: channelsBack(pooled.shape, a.channels_last !== 0) }];
  },
});
