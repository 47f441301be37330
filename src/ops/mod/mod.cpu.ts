// Remainders: JS `%` is C's fmod, exact for floats; int64 is computed on BigInts (all 64 bits). An
// integer remainder by zero has no defined value; nnrt gives 0.
import { isInteger } from '../../tensor/dtype.js';
import { mapBigBinary } from '../_kernels/bigint.js';
import { mapBinary } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import type { Mod } from './mod.op.js';

const truncated = (a: number, b: number) => a % b;
const floored = (a: number, b: number) => {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
};

const bigTruncated = (a: bigint, b: bigint) => (b === 0n ? 0n : a % b);
const bigFloored = (a: bigint, b: bigint) => {
  const r = bigTruncated(a, b);
  return r !== 0n && r < 0n !== b < 0n ? r + b : r;
};

export const modCpu: CpuKernel<typeof Mod.attrs> = ([a, b], { fmod }, [out]) => {
  if (a!.dtype === 'int64') return [mapBigBinary(a!, b!, out!, fmod === 1 ? bigTruncated : bigFloored)];
  const fn = fmod === 1 ? truncated : floored;
  const safe = isInteger(a!.dtype) ? (x: number, y: number) => (y === 0 ? 0 : fn(x, y)) : fn;
  return [mapBinary(a!, b!, out!, safe)];
};
