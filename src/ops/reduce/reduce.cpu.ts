import type { NumericArray } from '../../tensor/dtype.js';
import { stridesOf } from '../../tensor/shape.js';
import { sourceIndices, stridedOffsets } from '../_kernels/index-map.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { reducedAxes, type ReduceAttrs, type ReduceType } from './reduce.op.js';

/** Reduces the elements x[base + offsets[i]] to one number (an empty set gives the identity). */
type Reducer = (x: NumericArray, base: number, offsets: Int32Array) => number;

function sum(x: NumericArray, base: number, offsets: Int32Array, f: (v: number) => number = (v) => v): number {
  let s = 0;
  for (const o of offsets) s += f(x[base + o]!);
  return s;
}

function extreme(x: NumericArray, base: number, offsets: Int32Array, sign: 1 | -1): number {
  let m = -Infinity;
  for (const o of offsets) {
    const v = sign * x[base + o]!;
    if (v > m || Number.isNaN(v)) m = v;
  }
  return sign * m;
}

export const REDUCERS: Record<ReduceType, Reducer> = {
  ReduceSum: (x, b, o) => sum(x, b, o),
  ReduceMean: (x, b, o) => sum(x, b, o) / o.length,
  ReduceMax: (x, b, o) => extreme(x, b, o, 1),
  ReduceMin: (x, b, o) => extreme(x, b, o, -1),
  ReduceProd: (x, b, o) => {
    let p = 1;
    for (const k of o) p *= x[b + k]!;
    return p;
  },
  ReduceL1: (x, b, o) => sum(x, b, o, Math.abs),
  ReduceL2: (x, b, o) => Math.sqrt(sum(x, b, o, (v) => v * v)),
  ReduceSumSquare: (x, b, o) => sum(x, b, o, (v) => v * v),
  ReduceLogSum: (x, b, o) => Math.log(sum(x, b, o)),
  ReduceLogSumExp: (x, b, o) => {
    const max = extreme(x, b, o, 1);
    if (!Number.isFinite(max)) return Math.log(sum(x, b, o, Math.exp));
    return max + Math.log(sum(x, b, o, (v) => Math.exp(v - max)));
  },
};

/** A CPU kernel for one reduction: every output element reduces its block of input elements. */
export function reduceCpu(reduce: Reducer): CpuKernel<ReduceAttrs> {
  return ([x, axesIn], { noop_with_empty_axes }, [out]) => {
    const shape = x!.shape;
    const axes = reducedAxes(shape, axesIn && { dtype: axesIn.dtype, shape: axesIn.shape, value: axesIn }, noop_with_empty_axes);
    const strides = stridesOf(shape);
    const split = (reduced: boolean) => {
      const dims = shape.map((d, i) => (axes.includes(i) === reduced ? d : 1));
      return sourceIndices(dims, dims.map((n, i) => stridedOffsets(n, 0, 1, strides[i]!)));
    };
    const kept = split(false);
    const block = split(true);
    const values = x!.numeric();
    const y = new Float64Array(kept.length);
    for (let j = 0; j < kept.length; j++) y[j] = reduce(values, kept[j]!, block);
    return [Tensor.fromNumeric(out!.dtype, out!.shape, y)];
  };
}
