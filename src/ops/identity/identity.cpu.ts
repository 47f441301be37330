import type { CpuKernel } from '../op.js';
import type { Identity } from './identity.op.js';

// tensors are immutable once in a graph, so the input itself is the output
export const identityCpu: CpuKernel<typeof Identity.attrs> = ([x]) => [x!];
