import { ShapeError } from '../../errors.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { FILL, sourceIndices, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import { unpooledShape, type MaxUnpool } from './maxunpool.op.js';

export const maxUnpoolCpu: CpuKernel<typeof MaxUnpool.attrs> = ([x, indices], { kernel_shape, pads, strides }, [out]) => {
  const r = kernel_shape.length;
  const inferred = unpooledShape(x!.shape, kernel_shape, strides ?? kernel_shape.map(() => 1), pads ?? new Array<number>(2 * r).fill(0));
  // Scatter into the unpooled shape: which X element lands at each of its positions.
  const unpooled = new Int32Array(sizeOf(inferred)).fill(FILL);
  const idx = indices!.numeric();
  for (let i = 0; i < idx.length; i++) {
    if (!(idx[i]! >= 0 && idx[i]! < unpooled.length)) throw new ShapeError(`index ${idx[i]} is out of range for the unpooled size ${unpooled.length}`);
    unpooled[idx[i]!] = i;
  }
  // Then place that array at the start of the output shape.
  const st = stridesOf(inferred);
  const offsets = out!.shape.map((n, d) => Int32Array.from({ length: n }, (_, o) => (o < inferred[d]! ? o * st[d]! : FILL)));
  const pos = sourceIndices(out!.shape, offsets);
  const source = pos.map((p) => (p === FILL ? FILL : unpooled[p]!));
  return [takeElements(x!, out!.shape, source)];
};
