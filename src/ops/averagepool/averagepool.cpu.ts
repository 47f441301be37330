import { elementCount } from '../../tensor/shape.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { poolTable } from '../_kernels/pool.js';
import { windowOf, windowPads } from '../_kernels/window.js';
import type { AveragePool } from './averagepool.op.js';

export const averagePoolCpu: CpuKernel<typeof AveragePool.attrs> = ([x], a, [out]) => {
  const image = x!.shape.slice(2);
  const windows = out!.shape.slice(2);
  const window = windowOf(a, a.kernel_shape);
  const { starts, offsets, paddedCount } = poolTable(image, windows, window, windowPads(image, windows, window));
  const X = f32Of(x!);
  const planes = x!.shape[0]! * x!.shape[1]!;
  const imageSize = elementCount(image);
  const P = elementCount(windows);
  const Y = new Float32Array(planes * P);
  for (let plane = 0; plane < planes; plane++) {
    const xAt = plane * imageSize;
    for (let p = 0; p < P; p++) {
      let sum = 0;
      for (let t = starts[p]!; t < starts[p + 1]!; t++) sum += X[xAt + offsets[t]!]!;
      const count = a.count_include_pad ? paddedCount[p]! : starts[p + 1]! - starts[p]!;
      Y[plane * P + p] = count > 0 ? sum / count : 0;
    }
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
