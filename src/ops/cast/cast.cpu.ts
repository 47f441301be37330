import { allocNumeric } from '../../tensor/dtype.js';
import { DTYPE_ELEMENT_TYPE, type CastOptions, type ElementType } from '../../tensor/element-type.js';
import { Tensor } from '../../tensor/tensor.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { CpuKernel, TensorType } from '../op.js';
import { numbersToStrings, stringsToNumbers } from './cast-string.js';
import { castTarget, type Cast, type CastLike } from './cast.op.js';

/** int64 to an integer type without going through numbers, so values beyond 2^53 wrap exactly. */
function castInt64(x: Tensor, { bits, signed }: { bits: number; signed: boolean }, out: TensorType): Tensor {
  const src = x.data as BigInt64Array;
  if (bits === 64) return new Tensor('int64', out.shape, src.slice());
  const y = allocNumeric(out.dtype, src.length);
  for (let i = 0; i < src.length; i++) y[i] = Number(signed ? BigInt.asIntN(bits, src[i]!) : BigInt.asUintN(bits, src[i]!));
  return numericResult(out, y);
}

function castTo(x: Tensor, to: ElementType, opts: CastOptions, out: TensorType): Tensor {
  if (to.dtype === 'string') return numbersToStrings(x, out);
  if (x.dtype === 'string') return stringsToNumbers(x, to, opts, out);
  if (x.dtype === 'int64' && to.integer) return castInt64(x, to.integer, out);
  const v = x.numeric();
  const y = allocNumeric(out.dtype, v.length);
  for (let i = 0; i < v.length; i++) y[i] = to.round(v[i]!, opts);
  return numericResult(out, y);
}

const optionsOf = (a: { saturate: number; round_mode: CastOptions['roundMode'] }): CastOptions =>
  ({ saturate: a.saturate !== 0, roundMode: a.round_mode });

export const castCpu: CpuKernel<typeof Cast.attrs> = ([x], attrs, [out]) => [castTo(x!, castTarget(attrs.to), optionsOf(attrs), out!)];

export const castLikeCpu: CpuKernel<typeof CastLike.attrs> = ([x, like], attrs, [out]) =>
  [castTo(x!, castTarget(DTYPE_ELEMENT_TYPE[like!.dtype]), optionsOf(attrs), out!)];
