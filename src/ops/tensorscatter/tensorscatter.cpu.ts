import { ShapeError } from '../../errors.js';
import { allocStorage } from '../../tensor/dtype.js';
import { normalizeAxis, sizeOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { copyElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { TensorScatter } from './tensorscatter.op.js';

export const tensorScatterCpu: CpuKernel<typeof TensorScatter.attrs> = ([cache, update, writeIndices], { axis, mode }) => {
  const shape = cache!.shape;
  const a = normalizeAxis(axis, shape.length);
  const batch = shape[0]!;
  const mid = sizeOf(shape.slice(1, a)); // dims between batch and axis
  const maxLen = shape[a]!;
  const len = update!.shape[a]!;
  const inner = sizeOf(shape.slice(a + 1));
  const starts = writeIndices ? writeIndices.numeric() : new Float64Array(batch);
  const out = allocStorage(cache!.dtype, cache!.size);
  copyElements(out, 0, cache!.data, 0, cache!.size);
  for (let b = 0; b < batch; b++) {
    const start = starts[b]!;
    for (let m = 0; m < mid; m++) {
      for (let i = 0; i < len; i++) {
        let pos = start + i;
        if (mode === 'circular') pos = ((pos % maxLen) + maxLen) % maxLen;
        else if (pos < 0 || pos >= maxLen) throw new ShapeError(`batch ${b} writes position ${pos}, outside the cache length ${maxLen} (mode 'linear')`);
        copyElements(out, ((b * mid + m) * maxLen + pos) * inner, update!.data, ((b * mid + m) * len + i) * inner, inner);
      }
    }
  }
  return [new Tensor(cache!.dtype, shape, out)];
};
