// Reference kernels of the bitwise ops. int64 (which also holds uint32 and uint64) is computed on
// BigInts so that all 64 bits take part; the narrower types on numbers, wrapped when stored.
import { Tensor } from '../../tensor/tensor.js';
import { mapBigBinary, type BigBinaryFn } from '../_kernels/bigint.js';
import { mapBinary, mapUnary, type BinaryFn } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import type { BitShift } from './bitwise.op.js';

function bitwiseKernel(small: BinaryFn, big: BigBinaryFn): CpuKernel<Record<string, never>> {
  return ([a, b], _attrs, [out]) => [a!.dtype === 'int64' ? mapBigBinary(a!, b!, out!, big) : mapBinary(a!, b!, out!, small)];
}

export const bitwiseAndCpu = bitwiseKernel((a, b) => a & b, (a, b) => a & b);
export const bitwiseOrCpu = bitwiseKernel((a, b) => a | b, (a, b) => a | b);
export const bitwiseXorCpu = bitwiseKernel((a, b) => a ^ b, (a, b) => a ^ b);

export const bitwiseNotCpu: CpuKernel<Record<string, never>> = ([x], _attrs, [out]) => {
  if (x!.dtype !== 'int64') return [mapUnary(x!, out!, (v) => ~v)];
  return [new Tensor('int64', out!.shape, (x!.data as BigInt64Array).map((v) => ~v))];
};

// Shifts of unsigned values: bits shifted past the width are lost, a right shift fills with zeros.
// int64 storage holds uint64 as two's complement, so it is read unsigned before shifting right.
const shiftLeft = (a: number, s: number) => (s >= 32 ? 0 : (a << s) >>> 0);
const shiftRight = (a: number, s: number) => (s >= 32 ? 0 : a >>> s);
const bigLeft: BigBinaryFn = (a, s) => (s >= 64n ? 0n : a << s);
const bigRight: BigBinaryFn = (a, s) => (s >= 64n ? 0n : BigInt.asUintN(64, a) >> s);

export const bitShiftCpu: CpuKernel<typeof BitShift.attrs> = ([a, b], { direction }, [out]) => {
  const left = direction === 'LEFT';
  if (a!.dtype === 'int64') return [mapBigBinary(a!, b!, out!, left ? bigLeft : bigRight)];
  return [mapBinary(a!, b!, out!, left ? shiftLeft : shiftRight)];
};
