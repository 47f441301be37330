import type { CpuKernel } from '../op.js';
import type { Squeeze } from './squeeze.op.js';

// Dropping size-1 axes leaves row-major data unchanged: the output shares the input's storage.
export const squeezeCpu: CpuKernel<typeof Squeeze.attrs> = ([x], _attrs, [out]) => [x!.reshape(out!.shape)];
