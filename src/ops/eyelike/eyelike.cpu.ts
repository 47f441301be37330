import { allocNumeric } from '../../tensor/dtype.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import type { EyeLike } from './eyelike.op.js';

export const eyeLikeCpu: CpuKernel<typeof EyeLike.attrs> = (_inputs, { k }, [out]) => {
  const [rows, cols] = out!.shape as [number, number];
  const y = allocNumeric(out!.dtype, rows * cols);
  for (let i = 0; i < rows; i++) {
    const j = i + k;
    if (j >= 0 && j < cols) y[i * cols + j] = 1;
  }
  return [numericResult(out!, y)];
};
