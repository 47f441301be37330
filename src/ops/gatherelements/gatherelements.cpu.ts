import { normalizeAxis, stridesOf } from '../../tensor/shape.js';
import { offsetsBesideAxis, wrapIndex } from '../_kernels/element-index.js';
import { takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { GatherElements } from './gatherelements.op.js';

export const gatherElementsCpu: CpuKernel<typeof GatherElements.attrs> = ([data, indices], { axis }, [out]) => {
  const a = normalizeAxis(axis, data!.rank);
  const n = data!.shape[a]!;
  const stride = stridesOf(data!.shape)[a]!;
  const source = offsetsBesideAxis(indices!.shape, data!.shape, a);
  const idx = indices!.numeric();
  for (let p = 0; p < source.length; p++) source[p] += wrapIndex(idx[p]!, n, `index`) * stride;
  return [takeElements(data!, out!.shape, source)];
};
