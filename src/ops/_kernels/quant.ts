// What the quantization ops share: the quantized element types (the table and the float8/float4
// rounding live in tensor/element-type.ts), rounding half to even, saturation, and per-tensor /
// per-axis / blocked parameter layouts.
import { ShapeError, UnsupportedError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { ELEMENT_TYPE, elementType, elementTypeName, type ElementType } from '../../tensor/element-type.js';
import { fromHalfBits, toHalfBits } from '../../tensor/float16.js';
import { normalizeAxis, type Shape } from '../../tensor/shape.js';

/** The ONNX element types QuantizeLinear may produce (codes of TensorProto.DataType). */
const T = ELEMENT_TYPE;
const QUANT_CODES: ReadonlySet<number> = new Set([
  T.UINT8, T.INT8, T.UINT16, T.INT16, T.UINT4, T.INT4, T.UINT2, T.INT2,
  T.FLOAT8E4M3FN, T.FLOAT8E4M3FNUZ, T.FLOAT8E5M2, T.FLOAT8E5M2FNUZ, T.FLOAT4E2M1,
]);

/** The quantized element type of an ONNX code, or an UnsupportedError naming what is supported. */
export function quantType(code: number, what: string): ElementType {
  const t = elementType(code);
  if (!t || !QUANT_CODES.has(code)) {
    const names = [...QUANT_CODES].map(elementTypeName).join(', ');
    throw new UnsupportedError(`${what} is ${elementTypeName(code)}, not a quantized type (${names})`);
  }
  return t;
}

/** The [min, max] an integer element type saturates to. */
export function integerRange(t: { bits: number; signed: boolean }): [number, number] {
  return t.signed ? [-(2 ** (t.bits - 1)), 2 ** (t.bits - 1) - 1] : [0, 2 ** t.bits - 1];
}

/** Rounds to the nearest integer, ties to even (numpy's rint). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // ties toward +∞
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Rounding onto a float ONNX type used as a compute precision (float, float16, bfloat16). */
export function floatRounding(code: number, what: string): (v: number) => number {
  switch (code) {
    case T.FLOAT: return Math.fround;
    case T.FLOAT16: return roundingOf('float16');
    case T.BFLOAT16: return (v) => elementType(T.BFLOAT16)!.round(v, NEAREST);
  }
  throw new UnsupportedError(`${what} must be float, float16 or bfloat16, got ${elementTypeName(code)}`);
}
const NEAREST = { saturate: true, roundMode: 'nearest' } as const;

/** The rounding of a float IR dtype's arithmetic (float16 results round to half). */
export function roundingOf(dtype: DType): (v: number) => number {
  return dtype === 'float16' ? (v) => fromHalfBits(toHalfBits(v)) : Math.fround;
}

/**
 * How a scale or zero point of shape `p` maps onto x of shape `x` along `axis`: the parameter's
 * index for element (outer o, axis index a, inner j) is o·o' + ⌊a / block⌋·a' + j·j'.
 */
export interface ParamLayout {
  o: number;
  a: number;
  j: number;
}

/** x viewed as [outer, dim, inner] around the quantization axis. */
export interface AxisView {
  outer: number;
  dim: number;
  inner: number;
  block: number;
}

/** The normalized quantization axis; with only per-tensor parameters the axis is unused and not checked. */
export function quantAxis(axis: number, x: Shape, params: readonly (Shape | undefined)[]): number {
  const perTensor = params.every((p) => !p || p.reduce((n, d) => n * d, 1) === 1);
  return perTensor ? 0 : normalizeAxis(axis, x.length);
}

export function axisView(x: Shape, axis: number, blockSize: number): AxisView {
  if (x.length === 0) return { outer: 1, dim: 1, inner: 1, block: 1 };
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= x[i]!;
  for (let i = axis + 1; i < x.length; i++) inner *= x[i]!;
  return { outer, dim: x[axis]!, inner, block: blockSize > 0 ? blockSize : 1 };
}

/**
 * Checks a scale or zero point against x and says how to index it: one element is per-tensor,
 * a 1-D tensor of x.shape[axis] elements is per-axis, and with block_size > 0 a tensor of x's rank
 * whose axis dim is ⌈x.shape[axis] / block_size⌉ is blocked.
 */
export function paramLayout(p: Shape, x: Shape, axis: number, blockSize: number, what: string): ParamLayout {
  const size = p.reduce((n, d) => n * d, 1);
  if (size === 1) return { o: 0, a: 0, j: 0 };
  const v = axisView(x, axis, blockSize);
  if (blockSize <= 0) {
    if (blockSize < 0) throw new ShapeError(`block_size must be positive, got ${blockSize}`);
    if (p.length !== 1 || p[0] !== v.dim) {
      throw new ShapeError(`${what} of shape [${p.join(',')}] must be a scalar or 1-D of ${v.dim} elements (x.shape[${axis}]) for per-axis quantization`);
    }
    return { o: 0, a: 1, j: 0 };
  }
  const blocks = Math.ceil(v.dim / blockSize);
  const ok = p.length === x.length && p.every((d, i) => (i === axis ? d === blocks : d === x[i]));
  if (!ok) {
    const want = x.map((d, i) => (i === axis ? blocks : d));
    throw new ShapeError(`${what} of shape [${p.join(',')}] must be [${want.join(',')}] for blocked quantization of x [${x.join(',')}] with block_size ${blockSize} on axis ${axis}`);
  }
  return { o: blocks * v.inner, a: v.inner, j: 1 };
}

/** Calls `fn(i, scaleIndex, zeroPointIndex)` for every element of x in order. */
export function forEachQuantized(v: AxisView, s: ParamLayout, z: ParamLayout, fn: (i: number, si: number, zi: number) => void): void {
  let i = 0;
  for (let o = 0; o < v.outer; o++) {
    for (let a = 0; a < v.dim; a++) {
      const b = Math.floor(a / v.block);
      const s0 = o * s.o + b * s.a;
      const z0 = o * z.o + b * z.a;
      for (let j = 0; j < v.inner; j++, i++) fn(i, s0 + j * s.j, z0 + j * z.j);
    }
  }
}

/** Clamps an integer to a quantized type's range. */
export function saturateInt(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}
