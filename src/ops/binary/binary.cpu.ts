// Reference kernels of the two-input elementwise ops: a scalar function per op (chosen by the
// inputs' dtype where integers differ), applied under broadcasting by mapBinary. Integer results
// truncate toward zero and wrap when stored, which makes Div C's integer division.
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { mapBinary, type BinaryFn } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';

function binaryKernel(fn: (dtype: DType) => BinaryFn): CpuKernel<Record<string, never>> {
  return ([a, b], _attrs, [out]) => [mapBinary(a!, b!, out!, fn(a!.dtype))];
}
const always = (fn: BinaryFn) => binaryKernel(() => fn);

export const addCpu = always((a, b) => a + b);
export const subCpu = always((a, b) => a - b);
// int32 products can pass 2^53, where doubles drop the low bits that wrapping keeps
export const mulCpu = binaryKernel((d) => (d === 'int32' ? Math.imul : (a, b) => a * b));
export const divCpu = always((a, b) => a / b);
export const powCpu = always(Math.pow);
export const preluCpu = always((x, slope) => (x < 0 ? slope * x : x));

const equalNumbers = always((a, b) => +(a === b));
// strings: equal strings get equal ids, then the numeric kernel compares the ids under broadcasting
export const equalCpu: CpuKernel<Record<string, never>> = (inputs, attrs, outs) => {
  const [a, b] = inputs;
  if (a?.dtype !== 'string') return equalNumbers(inputs, attrs, outs);
  const ids = new Map<string, number>();
  const idsOf = (t: Tensor) => new Tensor('int32', t.shape, Int32Array.from(t.data as string[], (s) => ids.get(s) ?? (ids.set(s, ids.size), ids.size - 1)));
  return equalNumbers([idsOf(a), idsOf(b!)], attrs, outs);
};
export const lessCpu = always((a, b) => +(a < b));
export const lessOrEqualCpu = always((a, b) => +(a <= b));
export const greaterCpu = always((a, b) => +(a > b));
export const greaterOrEqualCpu = always((a, b) => +(a >= b));

export const andCpu = always((a, b) => a & b);
export const orCpu = always((a, b) => a | b);
export const xorCpu = always((a, b) => a ^ b);
