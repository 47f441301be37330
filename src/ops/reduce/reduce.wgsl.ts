import type { GpuKernel } from '../../devices/webgpu/program.js';
import { reduceProgram, type Reducer } from '../../devices/webgpu/reduce.js';
import { reducedAxes, type ReduceAttrs } from './reduce.op.js';

/** The ops with a reduction shader. */
export const REDUCE_WGSL: Record<string, Reducer> = {
  ReduceSum: 'sum', ReduceMean: 'mean', ReduceMax: 'max', ReduceMin: 'min', ReduceProd: 'prod',
  ReduceL1: 'l1', ReduceL2: 'l2', ReduceSumSquare: 'sumSquare', ReduceLogSum: 'logSum', ReduceLogSumExp: 'logSumExp',
};

export function reduceKernel(op: string): GpuKernel<ReduceAttrs> {
  const kind = REDUCE_WGSL[op]!;
  return ([x, axes], a, [out]) => {
    if (x!.dtype !== 'float32' && x!.dtype !== 'float16') return `${op} of ${x!.dtype}`;
    return { programs: [reduceProgram(kind, x!.shape, reducedAxes(x!.shape, axes, a.noop_with_empty_axes), out!)] };
  };
}
