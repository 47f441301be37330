import { allocNumeric } from '../../tensor/dtype.js';
import { aroundAxis } from '../_kernels/axes.js';
import { numericResult } from '../_kernels/elementwise.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { CpuKernel } from '../op.js';
import type { OneHot } from './onehot.op.js';

export const oneHotCpu: CpuKernel<typeof OneHot.attrs> = ([indices, , values], { axis }, [out]) => {
  const a = normalizeAxis(axis, out!.shape.length);
  const { outer, n: depth, inner } = aroundAxis(out!.shape, a);
  const [off, on] = values!.numeric();
  const idx = indices!.numeric();
  const y = allocNumeric(out!.dtype, outer * depth * inner).fill(off!);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      let j = Math.trunc(idx[o * inner + k]!);
      if (j < 0) j += depth;
      if (j >= 0 && j < depth) y[(o * depth + j) * inner + k] = on!;
    }
  }
  return [numericResult(out!, y)];
};
