import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { Imputer } from './ml-imputer.op.js';

export const imputerCpu: CpuKernel<typeof Imputer.attrs> = ([x], a, [y]) => {
  if (x!.dtype === 'int64') {
    const values = a.imputed_value_int64s.map((v) => BigInt(v));
    const replaced = BigInt(a.replaced_value_int64);
    const src = x!.data as BigInt64Array;
    const out = BigInt64Array.from(src, (v, i) => (v === replaced ? values[values.length === 1 ? 0 : i % values.length]! : v));
    return [new Tensor('int64', y!.shape, out)];
  }
  const isFloat = x!.dtype === 'float32';
  const values = isFloat ? a.imputed_value_floats : a.imputed_value_int64s;
  const replaced = isFloat ? Math.fround(a.replaced_value_float) : a.replaced_value_int64;
  const src = x!.numeric();
  const hit = (v: number) => v === replaced || (Number.isNaN(v) && Number.isNaN(replaced));
  const out = Array.from(src, (v, i) => (hit(v) ? values[values.length === 1 ? 0 : i % values.length]! : v));
  return [Tensor.fromNumeric(y!.dtype, y!.shape, out)];
};
