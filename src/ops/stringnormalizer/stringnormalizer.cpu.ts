import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { normalizeStrings } from './normalize.js';
import type { StringNormalizer } from './stringnormalizer.op.js';

export const stringNormalizerCpu: CpuKernel<typeof StringNormalizer.attrs> = ([x], a, [out]) => {
  const words = normalizeStrings(x!.data as string[], a);
  return [new Tensor('string', out!.shape, words.length ? words : [''])];
};
