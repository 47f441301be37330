// Reference kernels of the bitwise ops. int64 (which also holds uint32 and uint64) is computed on
// BigInts so that all 64 bits take part; the narrower types on numbers, wrapped when stored.
import { Tensor } from '../../tensor/tensor.js';
import { broadcastRows } from '../_kernels/broadcast.js';
import { mapBinary, mapUnary, type BinaryFn } from '../_kernels/elementwise.js';
import type { CpuKernel, TensorType } from '../op.js';
import type { BitShift } from './bitwise.op.js';

type BigFn = (a: bigint, b: bigint) => bigint;

function mapBigBinary(a: Tensor, b: Tensor, out: TensorType, fn: BigFn): Tensor {
  const x = a.data as BigInt64Array;
  const y = b.data as BigInt64Array;
  const z = new BigInt64Array(out.shape.reduce((p, d) => p * d, 1));
  broadcastRows(out.shape, [a.shape, b.shape], (o, [ia, ib], [sa, sb], n) => {
    for (let j = 0; j < n; j++) z[o + j] = BigInt.asIntN(64, fn(x[ia! + j * sa!]!, y[ib! + j * sb!]!));
  });
  return new Tensor('int64', out.shape, z);
}

function bitwiseKernel(small: BinaryFn, big: BigFn): CpuKernel<Record<string, never>> {
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
const bigLeft: BigFn = (a, s) => (s >= 64n ? 0n : a << s);
const bigRight: BigFn = (a, s) => (s >= 64n ? 0n : BigInt.asUintN(64, a) >> s);

export const bitShiftCpu: CpuKernel<typeof BitShift.attrs> = ([a, b], { direction }, [out]) => {
  const left = direction === 'LEFT';
  if (a!.dtype === 'int64') return [mapBigBinary(a!, b!, out!, left ? bigLeft : bigRight)];
  return [mapBinary(a!, b!, out!, left ? shiftLeft : shiftRight)];
};
