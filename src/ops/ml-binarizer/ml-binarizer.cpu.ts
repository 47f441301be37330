import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { Binarizer } from './ml-binarizer.op.js';

export const binarizerCpu: CpuKernel<typeof Binarizer.attrs> = ([x], { threshold }, [y]) =>
  [Tensor.fromNumeric(y!.dtype, y!.shape, x!.numeric().map((v) => (v > threshold ? 1 : 0)))];
