import { normalizeAxis } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { aroundAxis } from '../_kernels/axes.js';
import type { CpuKernel } from '../op.js';
import type { ArgMax } from './argmax.op.js';

/** Index of the extreme element of each lane; `better(a, b)` says a beats the best so far b. */
function argExtreme(better: (a: number, b: number) => boolean): CpuKernel<typeof ArgMax.attrs> {
  return ([x], { axis, select_last_index }, [out]) => {
    const v = x!.numeric();
    const { outer, n, inner } = aroundAxis(x!.shape, normalizeAxis(axis, x!.rank));
    const y = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        const base = o * n * inner + k;
        let best = 0;
        for (let i = 1; i < n; i++) {
          const a = v[base + i * inner]!;
          const b = v[base + best * inner]!;
          if (better(a, b) || (select_last_index && a === b)) best = i;
        }
        y[o * inner + k] = best;
      }
    }
    return [Tensor.fromNumeric('int64', out!.shape, y)];
  };
}

export const argMaxCpu = argExtreme((a, b) => a > b);
export const argMinCpu = argExtreme((a, b) => a < b);
