// Cast between strings and numbers (ONNX Cast): strings parse as plain or scientific decimals,
// with "INF"/"+INF", "-INF" and "NaN" (any case) for the special values; numbers print plainly.
import { ShapeError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CastOptions, ElementType } from '../../tensor/element-type.js';
import { allocNumeric } from '../../tensor/dtype.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { TensorType } from '../op.js';

export function parseNumber(s: string): number {
  const t = s.trim();
  const u = t.toUpperCase();
  if (u === 'INF' || u === '+INF' || u === 'INFINITY' || u === '+INFINITY') return Infinity;
  if (u === '-INF' || u === '-INFINITY') return -Infinity;
  if (u === 'NAN' || u === '+NAN' || u === '-NAN') return NaN;
  const v = t === '' ? NaN : Number(t);
  if (Number.isNaN(v)) throw new ShapeError(`'${s}' is not a number`, { hint: 'Cast from string takes decimal numbers, INF, -INF or NaN' });
  return v;
}

/** The shortest decimal that reads back as the same float32 (as numpy prints a float32). */
function float32String(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

export function formatNumber(v: number, from: Tensor['dtype']): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'INF';
  if (v === -Infinity) return '-INF';
  if (from === 'float32' || from === 'float16') return float32String(v);
  return String(v);
}

export function stringsToNumbers(x: Tensor, to: ElementType, opts: CastOptions, out: TensorType): Tensor {
  const src = x.data as string[];
  if (to.dtype === 'int64') {
    // integers keep all 64 bits when the text is an integer literal
    const out64 = new BigInt64Array(src.length);
    src.forEach((s, i) => {
      const t = s.trim();
      out64[i] = /^[+-]?\d+$/.test(t) ? BigInt.asIntN(64, BigInt(t)) : BigInt(to.round(parseNumber(s), opts));
    });
    return new Tensor('int64', out.shape, out64);
  }
  const y = allocNumeric(out.dtype, src.length);
  for (let i = 0; i < src.length; i++) y[i] = to.round(parseNumber(src[i]!), opts);
  return numericResult(out, y);
}

export function numbersToStrings(x: Tensor, out: TensorType): Tensor {
  if (x.dtype === 'string') return new Tensor('string', out.shape, [...(x.data as string[])]);
  if (x.dtype === 'int64') return new Tensor('string', out.shape, Array.from(x.data as BigInt64Array, (v) => v.toString()));
  const v = x.numeric();
  return new Tensor('string', out.shape, Array.from(v, (n) => formatNumber(n, x.dtype)));
}
