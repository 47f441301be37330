import { allocStorage } from '../../tensor/dtype.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { fromNumeric, Tensor } from '../../tensor/tensor.js';
import { combine } from '../_kernels/element-index.js';
import { copyElements } from '../_kernels/index-map.js';
import { tupleOffset } from '../gathernd/gathernd.cpu.js';
import type { CpuKernel } from '../op.js';
import type { ScatterND } from './scatternd.op.js';

export const scatterNDCpu: CpuKernel<typeof ScatterND.attrs> = ([data, indices, updates], { reduction }) => {
  const k = indices!.shape.at(-1)!;
  const tuples = sizeOf(indices!.shape.slice(0, -1));
  const slice = sizeOf(data!.shape.slice(k));
  const strides = stridesOf(data!.shape);
  const idx = indices!.numeric();
  const targets = Array.from({ length: tuples }, (_, t) => tupleOffset(idx, t, k, data!.shape, strides, 0));
  if (reduction === 'none') {
    const out = allocStorage(data!.dtype, data!.size);
    copyElements(out, 0, data!.data, 0, data!.size);
    targets.forEach((off, t) => copyElements(out, off, updates!.data, t * slice, slice));
    return [new Tensor(data!.dtype, data!.shape, out)];
  }
  const f = combine(reduction);
  const y = Float64Array.from(data!.numeric());
  const u = updates!.numeric();
  targets.forEach((off, t) => {
    for (let i = 0; i < slice; i++) y[off + i] = f(y[off + i]!, u[t * slice + i]!);
  });
  return [new Tensor(data!.dtype, data!.shape, fromNumeric(data!.dtype, y))];
};
