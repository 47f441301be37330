import type { CpuKernel } from '../op.js';
import type { Flatten } from './flatten.op.js';

// Row-major data is unchanged by flattening: the output shares the input's storage.
export const flattenCpu: CpuKernel<typeof Flatten.attrs> = ([x], _attrs, [out]) => [x!.reshape(out!.shape)];
