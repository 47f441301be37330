/**
 * ONNX element types (TensorProto.DataType codes, the vocabulary of Cast's `to`) and how nnrt holds
 * each in one of its seven dtypes. A type that is not a dtype is held *widened*: its values are
 * exact in the holding dtype, and `round` maps any number onto the type's value set, which is
 * what Cast to that type computes.
 *
 *   float64, bfloat16, float8 (e4m3fn, e4m3fnuz, e5m2, e5m2fnuz, e8m0), float4e2m1 → float32
 *   int16, uint16 → int32;  uint32, uint64 → int64 (uint64 reinterpreted as two's complement)
 *   int4, int2 → int8;  uint4, uint2 → uint8
 *
 * float64 is the one type held with less precision than it has (rounded to float32).
 */
import type { DType } from './dtype.js';

export const ELEMENT_TYPE = {
  UNDEFINED: 0, FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8,
  BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15,
  BFLOAT16: 16, FLOAT8E4M3FN: 17, FLOAT8E4M3FNUZ: 18, FLOAT8E5M2: 19, FLOAT8E5M2FNUZ: 20,
  UINT4: 21, INT4: 22, FLOAT4E2M1: 23, FLOAT8E8M0: 24, UINT2: 25, INT2: 26,
} as const;

export interface CastOptions {
  /** Out-of-range values clamp to ±max instead of becoming inf/NaN (float8 targets only). */
  saturate: boolean;
  /** float8e8m0 rounding: 'up' (away from zero), 'down' (towards zero), 'nearest'. */
  roundMode: 'up' | 'down' | 'nearest';
}

export interface ElementType {
  code: number;
  name: string;
  /** The IR dtype that holds the type's values. */
  dtype: DType;
  /** Bits per element in a TensorProto's raw_data (4- and 2-bit types pack low bits first). */
  bits: number;
  /** Set for integer types: values wrap modulo 2^bits like a C cast. */
  integer?: { bits: number; signed: boolean };
  /** Maps a number onto the type's value set (NaN → 0 for integers). */
  round(v: number, opts: CastOptions): number;
  /** Narrow float types: the value a stored bit pattern stands for. */
  decode?(bits: number): number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Truncates toward zero and wraps modulo 2^bits (exact for |v| < 2^53). */
function wrapInt(v: number, bits: number, signed: boolean): number {
  if (!Number.isFinite(v)) return 0;
  const m = 2 ** bits;
  let r = Math.trunc(v) % m;
  if (r < 0) r += m;
  return signed && r >= m / 2 ? r - m : r + 0;
}

/**
 * 64-bit targets: truncation only (numbers are exact below 2^53; Cast's kernel copies int64 inputs
 * without numbers). uint64 values at or above 2^63 take their two's-complement int64 form.
 */
function wrap64(v: number): number {
  if (Number.isNaN(v)) return 0;
  const t = Math.trunc(v);
  return t >= 2 ** 63 ? t - 2 ** 64 : t + 0;
}

/** Round half to even onto the integers. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function floorLog2(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/**
 * A small binary float format. `special` says which bit patterns are not finite numbers:
 * 'ieee' all-ones exponent is inf/NaN (e5m2); 'fn' only all-ones is NaN (e4m3fn); 'fnuz' only
 * 1000…0 is NaN, and there is no −0 (…fnuz); 'none' every pattern is a number (e2m1).
 */
interface MiniFloat {
  exp: number;
  mant: number;
  bias: number;
  special: 'ieee' | 'fn' | 'fnuz' | 'none';
}

function miniFloatMax(f: MiniFloat): number {
  const top = 2 ** f.exp - 1;
  if (f.special === 'ieee') return (2 - 2 ** -f.mant) * 2 ** (top - 1 - f.bias);
  if (f.special === 'fn') return (2 - 2 ** (1 - f.mant)) * 2 ** (top - f.bias);
  return (2 - 2 ** -f.mant) * 2 ** (top - f.bias);
}

function decodeMiniFloat(f: MiniFloat, bits: number): number {
  const top = 2 ** f.exp - 1;
  const signBit = 1 << (f.exp + f.mant);
  const e = (bits >> f.mant) & top;
  const m = bits & ((1 << f.mant) - 1);
  if (f.special === 'fnuz' && bits === signBit) return NaN;
  if (f.special === 'ieee' && e === top) return m ? NaN : bits & signBit ? -Infinity : Infinity;
  if (f.special === 'fn' && e === top && m === (1 << f.mant) - 1) return NaN;
  const mag = e === 0 ? m * 2 ** (1 - f.bias - f.mant) : (1 + m / 2 ** f.mant) * 2 ** (e - f.bias);
  return bits & signBit ? -mag : mag;
}

/**
 * Rounds to the nearest value of the format (ties to even), as ml_dtypes' casts (the ONNX
 * reference) do. Overflow saturates to ±max when asked (always for e2m1, which has no inf or
 * NaN; its NaN becomes −0 like the reference), else becomes inf (ieee) or NaN.
 */
function roundMiniFloat(f: MiniFloat, max: number, v: number, saturate: boolean): number {
  if (Number.isNaN(v)) return f.special === 'none' ? -0 : NaN;
  const a = Math.abs(v);
  let r = a;
  if (a !== Infinity) {
    const emin = 1 - f.bias; // subnormals share the smallest normal exponent's spacing
    const q = 2 ** (Math.max(a === 0 ? emin : floorLog2(a), emin) - f.mant);
    r = roundHalfEven(a / q) * q;
  }
  if (r > max) r = saturate || f.special === 'none' ? max : f.special === 'ieee' ? Infinity : NaN;
  if (f.special === 'fnuz' && r === 0) return 0;
  return v < 0 || Object.is(v, -0) ? -r : r;
}

function miniFloat(code: number, name: string, f: MiniFloat, bits = 8): ElementType {
  const max = miniFloatMax(f);
  const table = new Float32Array(2 ** bits);
  for (let b = 0; b < table.length; b++) table[b] = decodeMiniFloat(f, b);
  return {
    code, name, dtype: 'float32', bits,
    round: (v, o) => roundMiniFloat(f, max, v, o.saturate),
    decode: (b) => table[b]!,
  };
}

/** float8e8m0: an unsigned power of two 2^(e−127), e = 0…254; 255 is NaN. Follows onnx.numpy_helper.to_float8e8m0. */
function roundE8M0(v: number, o: CastOptions): number {
  f32[0] = v;
  const b = u32[0]!;
  let e = (b >>> 23) & 0xff;
  if (e === 0xff) return NaN;
  let up = false;
  if (o.roundMode === 'up') up = (b & 0x7fffff) !== 0;
  else if (o.roundMode === 'nearest') up = (b & 0x400000) !== 0 && ((b & 0x3fffff) !== 0 || e > 0);
  if (up && !(o.saturate && e === 0xfe)) e++;
  return e === 0xff ? NaN : 2 ** (e - 127);
}

/** Rounds a float32 value to bfloat16 (nearest, ties to even); NaN stays NaN. */
function roundBFloat16(v: number): number {
  if (Number.isNaN(v)) return NaN;
  f32[0] = v;
  const b = u32[0]!;
  u32[0] = (b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000;
  return f32[0]!;
}

function integerType(code: number, name: string, dtype: DType, bits: number, signed: boolean): ElementType {
  return { code, name, dtype, bits, integer: { bits, signed }, round: (v) => wrapInt(v, bits, signed) };
}

function floatType(code: number, name: string, dtype: DType, bits: number, round: (v: number) => number = (v) => v): ElementType {
  return { code, name, dtype, bits, round };
}

const T = ELEMENT_TYPE;
const TYPES: ElementType[] = [
  floatType(T.FLOAT, 'float32', 'float32', 32),
  floatType(T.FLOAT16, 'float16', 'float16', 16),
  floatType(T.DOUBLE, 'float64', 'float32', 64),
  floatType(T.BFLOAT16, 'bfloat16', 'float32', 16, roundBFloat16),
  integerType(T.INT8, 'int8', 'int8', 8, true),
  integerType(T.UINT8, 'uint8', 'uint8', 8, false),
  integerType(T.INT16, 'int16', 'int32', 16, true),
  integerType(T.UINT16, 'uint16', 'int32', 16, false),
  integerType(T.INT32, 'int32', 'int32', 32, true),
  integerType(T.UINT32, 'uint32', 'int64', 32, false),
  { ...integerType(T.INT64, 'int64', 'int64', 64, true), round: wrap64 },
  { ...integerType(T.UINT64, 'uint64', 'int64', 64, false), round: wrap64 },
  integerType(T.INT4, 'int4', 'int8', 4, true),
  integerType(T.UINT4, 'uint4', 'uint8', 4, false),
  integerType(T.INT2, 'int2', 'int8', 2, true),
  integerType(T.UINT2, 'uint2', 'uint8', 2, false),
  { code: T.BOOL, name: 'bool', dtype: 'bool', bits: 8, round: (v) => (v !== 0 ? 1 : 0) },
  miniFloat(T.FLOAT8E4M3FN, 'float8e4m3fn', { exp: 4, mant: 3, bias: 7, special: 'fn' }),
  miniFloat(T.FLOAT8E4M3FNUZ, 'float8e4m3fnuz', { exp: 4, mant: 3, bias: 8, special: 'fnuz' }),
  miniFloat(T.FLOAT8E5M2, 'float8e5m2', { exp: 5, mant: 2, bias: 15, special: 'ieee' }),
  miniFloat(T.FLOAT8E5M2FNUZ, 'float8e5m2fnuz', { exp: 5, mant: 2, bias: 16, special: 'fnuz' }),
  miniFloat(T.FLOAT4E2M1, 'float4e2m1', { exp: 2, mant: 1, bias: 1, special: 'none' }, 4),
  // strings hold text, not numbers: Cast to and from them parses and prints (see ops/cast)
  { code: T.STRING, name: 'string', dtype: 'string', bits: 0, round: (v) => v },
  { code: T.FLOAT8E8M0, name: 'float8e8m0', dtype: 'float32', bits: 8, round: roundE8M0, decode: (b) => (b === 0xff ? NaN : 2 ** (b - 127)) },
];
const BY_CODE = new Map(TYPES.map((t) => [t.code, t]));

/** The element type of an ONNX code, or undefined for types nnrt cannot hold (string, complex). */
export function elementType(code: number): ElementType | undefined {
  return BY_CODE.get(code);
}

/** A readable name for any ONNX element type code (for messages). */
export function elementTypeName(code: number): string {
  const known = BY_CODE.get(code)?.name;
  if (known) return known;
  const entry = Object.entries(ELEMENT_TYPE).find(([, c]) => c === code);
  return entry ? entry[0].toLowerCase() : `#${code}`;
}

/** The element type code whose values a dtype holds natively. */
export const DTYPE_ELEMENT_TYPE: Record<DType, number> = {
  float32: T.FLOAT, float16: T.FLOAT16, int8: T.INT8, uint8: T.UINT8, int32: T.INT32, int64: T.INT64, bool: T.BOOL, string: T.STRING,
};
