// What onnxruntime's QOperator ops (com.microsoft QLinearAdd, QLinearSigmoid, QLinearConcat, ...)
// share: 8-bit data with one float32 scale and one zero point per tensor, their checks for shape
// inference, and the 256-entry tables that requantize a byte through a float function.
import { ShapeError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { InferInput } from '../op.js';
import { integerRange, roundHalfEven, saturateInt } from './quant.js';

export const QUANT8: readonly DType[] = ['int8', 'uint8'];

/** The [min, max] of int8 or uint8. */
export function range8(dtype: DType): [number, number] {
  return integerRange({ bits: 8, signed: dtype === 'int8' });
}

/** An input the op requires (the model gave '' for it: omitted). */
export function required(t: InferInput | undefined, name: string): InferInput {
  if (!t) throw new ShapeError(`${name} is omitted, but this op requires it`);
  return t;
}

/** Checks that a quantized tensor is int8 or uint8. */
export function checkQuant8(x: InferInput | undefined, name: string): void {
  const t = required(x, name);
  if (t.dtype !== 'int8' && t.dtype !== 'uint8') throw new ShapeError(`${name} must be int8 or uint8, got ${t.dtype}`);
}

/** onnxruntime takes a per-tensor parameter as a scalar or a 1-D tensor of one element. */
function checkOneValue(t: InferInput, name: string): void {
  if (t.shape.length > 1 || (t.shape.length === 1 && t.shape[0] !== 1)) {
    throw new ShapeError(`${name} of shape [${t.shape.join(',')}] must be a scalar or a 1-element 1-D tensor: this op quantizes per tensor`);
  }
}

/** Checks a per-tensor scale: float32, one value. */
export function checkScale(s: InferInput | undefined, name: string): void {
  const t = required(s, name);
  if (t.dtype !== 'float32') throw new ShapeError(`${name} must be float32, got ${t.dtype}`);
  checkOneValue(t, name);
}

/** Checks a per-tensor zero point (when given): one value of the quantized data's dtype. */
export function checkZeroPoint(z: InferInput | undefined, dtype: DType, name: string): void {
  if (!z) return;
  if (z.dtype !== dtype) throw new ShapeError(`${name} is ${z.dtype} but the data it quantizes is ${dtype}; they must have the same type`);
  checkOneValue(z, name);
}

/** The one value of a per-tensor scale or zero point; `fallback` when the input is omitted. */
export function scalarOf(t: Tensor | undefined, fallback = 0): number {
  return t ? t.numeric()[0]! : fallback;
}

/** The byte values of an int8/uint8 dtype in table order (index = the byte's unsigned value). */
function byteValue(dtype: DType, index: number): number {
  return dtype === 'int8' && index > 127 ? index - 256 : index;
}

/** A byte's index into a 256-entry table. */
export function byteIndex(v: number): number {
  return v & 0xff;
}

/**
 * The 256-entry table y = quantize(f(dequantize(x))) that onnxruntime's lookup-table kernels
 * build: x dequantized as float32 x_scale·(x − x_zero_point), f applied, and the result
 * quantized as saturate(round_half_even(v / y_scale) + y_zero_point) in float32.
 */
export function lookupTable(
  dtype: DType, xScale: number, xZero: number, yScale: number, yZero: number, f: (v: number) => number,
): Float64Array {
  const [min, max] = range8(dtype);
  const table = new Float64Array(256);
  for (let i = 0; i < 256; i++) {
    const x = Math.fround(xScale * (byteValue(dtype, i) - xZero));
    table[i] = saturateInt(roundHalfEven(Math.fround(Math.fround(f(x)) / yScale)) + yZero, min, max);
  }
  return table;
}

/** Maps every byte of x through a 256-entry table. */
export function applyTable(x: Tensor, table: Float64Array): Float64Array {
  const xs = x.numeric();
  const y = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) y[i] = table[byteIndex(xs[i]!)]!;
  return y;
}
