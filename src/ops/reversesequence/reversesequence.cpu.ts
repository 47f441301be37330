import { ShapeError } from '../../errors.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { ReverseSequence } from './reversesequence.op.js';

export const reverseSequenceCpu: CpuKernel<typeof ReverseSequence.attrs> = ([x, lens], { batch_axis, time_axis }, [out]) => {
  const shape = x!.shape;
  const strides = stridesOf(shape);
  const inner = sizeOf(shape.slice(2));
  const lengths = lens!.numeric();
  const source = new Int32Array(x!.size);
  for (let b = 0; b < shape[batch_axis]!; b++) {
    const len = lengths[b]!;
    if (len < 0 || len > shape[time_axis]!) throw new ShapeError(`sequence_lens[${b}] = ${len} is out of range [0, ${shape[time_axis]}]`);
    for (let t = 0; t < shape[time_axis]!; t++) {
      const from = t < len ? len - 1 - t : t;
      const at = b * strides[batch_axis]! + t * strides[time_axis]!;
      const src = b * strides[batch_axis]! + from * strides[time_axis]!;
      for (let k = 0; k < inner; k++) source[at + k] = src + k;
    }
  }
  return [takeElements(x!, out!.shape, source)];
};
