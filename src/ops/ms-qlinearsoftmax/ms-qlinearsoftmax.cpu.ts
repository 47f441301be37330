// onnxruntime's QLinearSoftmax, step for step: e^(x_scale·(x − max)) read from a float32 table
// scaled up by a constant (so the row sums use float32's range; the constant cancels), summed in
// float32, and y = round(e · ⌊1 / y_scale⌋ / sum) + y_zp. onnxruntime multiplies by ⌊1 / y_scale⌋
// instead of dividing by y_scale; the two agree for the 1/256 (or any 1/integer) scale quantizers
// write. Results saturate to the output type (onnxruntime's int8 kernel wraps values above 127).
import { elementCount } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { range8, scalarOf } from '../_kernels/qlinear.js';
import { roundHalfEven, saturateInt } from '../_kernels/quant.js';
import type { CpuKernel } from '../op.js';
import { softmaxAxis, type QLinearSoftmax } from './ms-qlinearsoftmax.op.js';

const f = Math.fround;
const FLOAT_MAX = 3.4028234663852886e38;

/** table[255 + d] = e^(x_scale·d) times a constant, for d = x − max in [−255, 0]. */
function expTable(xScale: number, reduced: number): Float32Array {
  // keep the sum of `reduced` entries below float32's max, with 5 bits to spare
  const shift = Math.max(0, Math.log(f(FLOAT_MAX / reduced)) - 5) / xScale;
  return Float32Array.from({ length: 256 }, (_, i) => Math.exp((i - 255 + shift) * xScale));
}

export const qlinearSoftmaxCpu: CpuKernel<typeof QLinearSoftmax.attrs> = ([x, xScale, , yScale, yZero], { axis, opset }, [out]) => {
  const shape = x!.shape;
  const a = softmaxAxis(axis, opset, shape.length);
  // rows of `reduced` elements `stride` apart: the flattened tail before opset 13, one axis from 13
  const [reduced, stride] = opset < 13 ? [elementCount(shape.slice(a)), 1] : [shape[a]!, elementCount(shape.slice(a + 1))];
  const table = expTable(scalarOf(xScale), reduced);
  const multiplier = Math.floor(f(1 / scalarOf(yScale)));
  const yz = scalarOf(yZero);
  const [min, max] = range8(out!.dtype);
  const xs = x!.numeric();
  const y = new Float64Array(xs.length);
  const rows = xs.length / reduced;
  for (let r = 0; r < rows; r++) {
    const start = Math.floor(r / stride) * reduced * stride + (r % stride);
    let top = -Infinity;
    for (let k = 0, at = start; k < reduced; k++, at += stride) top = Math.max(top, xs[at]!);
    let sum = 0;
    for (let k = 0, at = start; k < reduced; k++, at += stride) sum = f(sum + table[255 + xs[at]! - top]!);
    for (let k = 0, at = start; k < reduced; k++, at += stride) {
      const e = table[255 + xs[at]! - top]!;
      // e · multiplier overflows float32 only for a small row and a tiny y_scale, where
      // onnxruntime's result is undefined: computed in float64 there, it saturates as it should
      const scaled = f(e * multiplier);
      const v = scaled === Infinity ? (e * multiplier) / sum : f(scaled / sum);
      y[at] = saturateInt(roundHalfEven(v) + yz, min, max);
    }
  }
  return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
};
