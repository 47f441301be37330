import { permutedIndices, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import { permutation, type Transpose } from './transpose.op.js';

export const transposeCpu: CpuKernel<typeof Transpose.attrs> = ([x], { perm }, [out]) => [
  takeElements(x!, out!.shape, permutedIndices(x!.shape, permutation(perm, x!.rank))),
];
