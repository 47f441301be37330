// Each tensor is requantized to Y's scale and zero point through a 256-entry table (copied as it
// is when its scale and zero point are Y's, as onnxruntime does), then concatenated.
import { Tensor } from '../../tensor/tensor.js';
import { applyTable, lookupTable, scalarOf } from '../_kernels/qlinear.js';
import { concatCpu } from '../concat/concat.cpu.js';
import type { CpuKernel } from '../op.js';
import type { QLinearConcat } from './ms-qlinearconcat.op.js';

export const qlinearConcatCpu: CpuKernel<typeof QLinearConcat.attrs> = (inputs, { axis }, [out]) => {
  const ys = scalarOf(inputs[0]);
  const yz = scalarOf(inputs[1]);
  const parts: Tensor[] = [];
  for (let i = 2; i < inputs.length; i += 3) {
    const x = inputs[i]!;
    const [xs, xz] = [scalarOf(inputs[i + 1]), scalarOf(inputs[i + 2])];
    if (xs === ys && xz === yz) {
      parts.push(x);
    } else {
      const table = lookupTable(x.dtype, xs, xz, ys, yz, (v) => v);
      parts.push(Tensor.fromNumeric(x.dtype, x.shape, applyTable(x, table)));
    }
  }
  return concatCpu(parts, { axis }, [out!]);
};
