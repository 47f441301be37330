import type { CpuKernel } from '../op.js';
import type { Unsqueeze } from './unsqueeze.op.js';

// Inserting size-1 axes leaves row-major data unchanged: the output shares the input's storage.
export const unsqueezeCpu: CpuKernel<typeof Unsqueeze.attrs> = ([x], _attrs, [out]) => [x!.reshape(out!.shape)];
