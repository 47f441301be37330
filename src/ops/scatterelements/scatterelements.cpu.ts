import { allocStorage } from '../../tensor/dtype.js';
import { normalizeAxis, stridesOf } from '../../tensor/shape.js';
import { fromNumeric, Tensor } from '../../tensor/tensor.js';
import { combine, offsetsBesideAxis, wrapIndex, type Reduction } from '../_kernels/element-index.js';
import { copyElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { Scatter, ScatterElements } from './scatterelements.op.js';

function scatterElements(data: Tensor, indices: Tensor, updates: Tensor, axis: number, reduction: Reduction): Tensor {
  const a = normalizeAxis(axis, data.rank);
  const n = data.shape[a]!;
  const stride = stridesOf(data.shape)[a]!;
  const target = offsetsBesideAxis(indices.shape, data.shape, a);
  const idx = indices.numeric();
  for (let p = 0; p < target.length; p++) target[p] += wrapIndex(idx[p]!, n, 'index') * stride;
  if (reduction === 'none') {
    // raw element copies keep int64 and float16 exact
    const out = allocStorage(data.dtype, data.size);
    copyElements(out, 0, data.data, 0, data.size);
    for (let p = 0; p < target.length; p++) copyElements(out, target[p]!, updates.data, p, 1);
    return new Tensor(data.dtype, data.shape, out);
  }
  const f = combine(reduction);
  const y = Float64Array.from(data.numeric());
  const u = updates.numeric();
  for (let p = 0; p < target.length; p++) y[target[p]!] = f(y[target[p]!]!, u[p]!);
  return new Tensor(data.dtype, data.shape, fromNumeric(data.dtype, y));
}

export const scatterElementsCpu: CpuKernel<typeof ScatterElements.attrs> = ([data, indices, updates], { axis, reduction }) =>
  [scatterElements(data!, indices!, updates!, axis, reduction)];

export const scatterCpu: CpuKernel<typeof Scatter.attrs> = ([data, indices, updates], { axis }) =>
  [scatterElements(data!, indices!, updates!, axis, 'none')];
