import { allocStorage } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { broadcastRows } from '../_kernels/broadcast.js';
import type { CpuKernel } from '../op.js';
import type { Where } from './where.op.js';

type Elements = { [index: number]: number | bigint };

// copies storage elements, so every dtype is exact (int64 beyond 2^53, float16 bits)
export const whereCpu: CpuKernel<typeof Where.attrs> = ([c, x, y], _attrs, [out]) => {
  const data = allocStorage(out!.dtype, out!.shape.reduce((p, d) => p * d, 1));
  const dst = data as Elements;
  const cond = c!.data as Uint8Array;
  const xs = x!.data as Elements;
  const ys = y!.data as Elements;
  broadcastRows(out!.shape, [c!.shape, x!.shape, y!.shape], (o, [ic, ix, iy], [sc, sx, sy], n) => {
    for (let j = 0; j < n; j++) dst[o + j] = cond[ic! + j * sc!] ? xs[ix! + j * sx!]! : ys[iy! + j * sy!]!;
  });
  return [new Tensor(out!.dtype, out!.shape, data)];
};
