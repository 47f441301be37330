// Keeps element (i, j) of each trailing matrix when j − i ≥ k (upper) or j − i ≤ k (lower).
import { allocStorage } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { Trilu } from './trilu.op.js';

export const triluCpu: CpuKernel<typeof Trilu.attrs> = ([x, kIn], { upper }, [out]) => {
  const k = kIn ? kIn.toNumbers()[0]! : 0;
  const [rows, cols] = x!.shape.slice(-2) as [number, number];
  // element copies on the raw storage (numbers, or bigints for int64); the rest stays zero
  const src = x!.data as ArrayLike<number | bigint>;
  const dst = allocStorage(out!.dtype, src.length) as unknown as { [i: number]: number | bigint };
  for (let at = 0; at < src.length; at++) {
    const j = at % cols;
    const i = Math.floor(at / cols) % rows;
    if (upper ? j - i >= k : j - i <= k) dst[at] = src[at]!;
  }
  return [new Tensor(out!.dtype, out!.shape, dst as never)];
};
