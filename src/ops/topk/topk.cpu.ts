import { normalizeAxis } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { aroundAxis } from '../_kernels/axes.js';
import { takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { TopK } from './topk.op.js';

// Results are always sorted (sorted=0 leaves the order to the implementation).
export const topKCpu: CpuKernel<typeof TopK.attrs> = ([x], { axis, largest }, [values, indices]) => {
  const a = normalizeAxis(axis, x!.rank);
  const { outer, n, inner } = aroundAxis(x!.shape, a);
  const k = values!.shape[a]!;
  const v = x!.numeric();
  const sign = largest ? -1 : 1;
  const lane = new Array<number>(n);
  const picked = new Float64Array(outer * k * inner);
  const source = new Int32Array(outer * k * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * n * inner + j;
      for (let i = 0; i < n; i++) lane[i] = i;
      lane.sort((p, q) => sign * (v[base + p * inner]! - v[base + q * inner]!) || p - q);
      for (let i = 0; i < k; i++) {
        const at = (o * k + i) * inner + j;
        picked[at] = lane[i]!;
        source[at] = base + lane[i]! * inner;
      }
    }
  }
  // values are copied from x's storage, so they stay exact for every dtype
  return [takeElements(x!, values!.shape, source), Tensor.fromNumeric('int64', indices!.shape, picked)];
};
