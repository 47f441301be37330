import { allocStorage } from '../../tensor/dtype.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { wrapIndex } from '../_kernels/element-index.js';
import { copyElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { GatherND } from './gathernd.op.js';

/** Element offset into data of one index tuple (indices[t*k .. t*k+k)) after `batchDims` dims. */
export function tupleOffset(idx: ArrayLike<number>, t: number, k: number, dataShape: readonly number[], strides: readonly number[], batchDims: number): number {
  let off = 0;
  for (let j = 0; j < k; j++) off += wrapIndex(idx[t * k + j]!, dataShape[batchDims + j]!, `index (dim ${batchDims + j})`) * strides[batchDims + j]!;
  return off;
}

export const gatherNDCpu: CpuKernel<typeof GatherND.attrs> = ([data, indices], { batch_dims: b }, [out]) => {
  const k = indices!.shape.at(-1)!;
  const batches = sizeOf(data!.shape.slice(0, b));
  const tuples = sizeOf(indices!.shape.slice(b, -1)); // per batch
  const slice = sizeOf(data!.shape.slice(b + k));
  const batchStride = sizeOf(data!.shape.slice(b));
  const strides = stridesOf(data!.shape);
  const idx = indices!.numeric();
  const result = allocStorage(out!.dtype, sizeOf(out!.shape));
  for (let bi = 0; bi < batches; bi++) {
    for (let j = 0; j < tuples; j++) {
      const t = bi * tuples + j;
      copyElements(result, t * slice, data!.data, bi * batchStride + tupleOffset(idx, t, k, data!.shape, strides, b), slice);
    }
  }
  return [new Tensor(out!.dtype, out!.shape, result)];
};
