import { sizeOf } from '../../tensor/shape.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { poolTable } from '../_kernels/pool.js';
import { windowOf, windowPads } from '../_kernels/window.js';
import type { LpPool } from './lppool.op.js';

export const lpPoolCpu: CpuKernel<typeof LpPool.attrs> = ([x], a, [out]) => {
  const image = x!.shape.slice(2);
  const windows = out!.shape.slice(2);
  const window = windowOf(a, a.kernel_shape);
  const { starts, offsets } = poolTable(image, windows, window, windowPads(image, windows, window));
  const X = f32Of(x!);
  const planes = x!.shape[0]! * x!.shape[1]!;
  const imageSize = sizeOf(image);
  const P = sizeOf(windows);
  const Y = new Float32Array(planes * P);
  for (let plane = 0; plane < planes; plane++) {
    const xAt = plane * imageSize;
    for (let p = 0; p < P; p++) {
      let sum = 0;
      for (let t = starts[p]!; t < starts[p + 1]!; t++) sum += Math.abs(X[xAt + offsets[t]!]!) ** a.p;
      Y[plane * P + p] = sum ** (1 / a.p);
    }
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
