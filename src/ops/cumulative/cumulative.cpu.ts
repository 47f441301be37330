// Running sums and products along one axis, computed as numbers (int64 exact below 2^53).
import { allocNumeric } from '../../tensor/dtype.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { aroundAxis } from '../_kernels/axes.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import type { CumSum } from './cumulative.op.js';

function cumulativeKernel(identity: number, combine: (acc: number, v: number) => number): CpuKernel<typeof CumSum.attrs> {
  return ([x, axisIn], { exclusive, reverse }, [out]) => {
    const axis = normalizeAxis(axisIn!.toNumbers()[0]!, x!.rank);
    const { outer, n, inner } = aroundAxis(x!.shape, axis);
    const src = x!.numeric();
    const dst = allocNumeric(out!.dtype, src.length);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        let acc = identity;
        for (let step = 0; step < n; step++) {
          const i = reverse ? n - 1 - step : step;
          const at = (o * n + i) * inner + k;
          if (exclusive) {
            dst[at] = acc;
            acc = combine(acc, src[at]!);
          } else {
            acc = combine(acc, src[at]!);
            dst[at] = acc;
          }
        }
      }
    }
    return [numericResult(out!, dst)];
  };
}

export const cumSumCpu = cumulativeKernel(0, (a, v) => a + v);
export const cumProdCpu = cumulativeKernel(1, (a, v) => a * v);
