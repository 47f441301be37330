import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { Size } from './size.op.js';

export const sizeCpu: CpuKernel<typeof Size.attrs> = ([x]) => [Tensor.scalar('int64', x!.size)];
