// A quantized activation is a function of one byte: a 256-entry table built from the scales and
// zero points (as onnxruntime builds it), then one lookup per element.
import { Tensor } from '../../tensor/tensor.js';
import { applyTable, lookupTable, scalarOf } from '../_kernels/qlinear.js';
import type { CpuKernel, TensorType } from '../op.js';
import type { QLinearLeakyRelu } from './ms-qlinearactivation.op.js';

/** Y = table[X] with the table of quantize(fn(dequantize(byte))). */
function activated(inputs: readonly (Tensor | undefined)[], out: TensorType, fn: (v: number) => number): Tensor {
  const [x, xScale, xZero, yScale, yZero] = inputs;
  const table = lookupTable(x!.dtype, scalarOf(xScale), scalarOf(xZero), scalarOf(yScale), scalarOf(yZero), fn);
  return Tensor.fromNumeric(out.dtype, out.shape, applyTable(x!, table));
}

// e^(−|v|) never overflows; the two branches are the same function
const sigmoid = (v: number) => {
  const e = Math.exp(-Math.abs(v));
  return v >= 0 ? 1 / (1 + e) : e / (1 + e);
};

export const qlinearSigmoidCpu: CpuKernel = (inputs, _attrs, [out]) => [activated(inputs, out!, sigmoid)];

export const qlinearLeakyReluCpu: CpuKernel<typeof QLinearLeakyRelu.attrs> = (inputs, { alpha }, [out]) => {
  const a = Math.fround(alpha);
  return [activated(inputs, out!, (v) => (v >= 0 ? v : Math.fround(a * v)))];
};
