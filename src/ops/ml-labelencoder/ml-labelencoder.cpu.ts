import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { labelList, type LabelEncoder } from './ml-labelencoder.op.js';

// Keys are looked up by value; a NaN key matches NaN elements (as onnxruntime does), so floats
// go through a string form that keeps NaN distinct from every number.
const keyOf = (v: string | number | bigint) => (typeof v === 'number' ? `n:${Number.isNaN(v) ? 'NaN' : Math.fround(v)}` : `${typeof v}:${v}`);

export const labelEncoderCpu: CpuKernel<typeof LabelEncoder.attrs> = ([x], a, [out]) => {
  const keys = labelList(a, 'keys');
  const values = labelList(a, 'values');
  const map = new Map(keys.entries.map((k, i) => [keyOf(k), values.entries[i]!]));
  const fallback = a.default_tensor
    ? (a.default_tensor.dtype === 'string' ? (a.default_tensor.data as string[])[0]! : a.default_tensor.dtype === 'int64' ? (a.default_tensor.data as BigInt64Array)[0]! : a.default_tensor.numeric()[0]!)
    : values.dtype === 'string' ? a.default_string : values.dtype === 'int64' ? BigInt(a.default_int64) : a.default_float;
  const src: readonly (string | number | bigint)[] = x!.dtype === 'string' ? (x!.data as string[])
    : x!.dtype === 'int64' ? [...(x!.data as BigInt64Array)] : Array.from(x!.numeric());
  const mapped = src.map((v) => map.get(keyOf(v)) ?? fallback);
  if (out!.dtype === 'string') return [new Tensor('string', out!.shape, mapped.map(String))];
  if (out!.dtype === 'int64') return [new Tensor('int64', out!.shape, BigInt64Array.from(mapped.map((v) => BigInt(v))))];
  return [Tensor.fromNumeric(out!.dtype, out!.shape, mapped.map(Number))];
};
