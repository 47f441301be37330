// Remainders on numbers: JS `%` is C's fmod (exact for floats, and for int64 below 2^53). An
// integer remainder by zero has no defined value; nnrt gives 0 rather than NaN's wrap.
import { isInteger } from '../../tensor/dtype.js';
import { mapBinary } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import type { Mod } from './mod.op.js';

const truncated = (a: number, b: number) => a % b;
const floored = (a: number, b: number) => {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
};

export const modCpu: CpuKernel<typeof Mod.attrs> = ([a, b], { fmod }, [out]) => {
  const fn = fmod === 1 ? truncated : floored;
  const safe = isInteger(a!.dtype) ? (x: number, y: number) => (y === 0 ? 0 : fn(x, y)) : fn;
  return [mapBinary(a!, b!, out!, safe)];
};
