import type { CpuKernel } from '../op.js';
import type { Reshape } from './reshape.op.js';

// Row-major data is unchanged by a reshape: the output shares the input's storage.
export const reshapeCpu: CpuKernel<typeof Reshape.attrs> = ([x], _attrs, [out]) => [x!.reshape(out!.shape)];
