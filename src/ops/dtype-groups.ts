// Dtype sets that op definitions accept, named after the ONNX type constraints they stand for.
import type { DType } from '../tensor/dtype.js';

export const FLOAT_TYPES: readonly DType[] = ['float32', 'float16'];
/** Floats and signed integers (ONNX ops whose result can be negative: Neg, PRelu). */
export const SIGNED_TYPES: readonly DType[] = [...FLOAT_TYPES, 'int8', 'int32', 'int64'];
export const NUMERIC_TYPES: readonly DType[] = [...SIGNED_TYPES, 'uint8'];
export const ALL_TYPES: readonly DType[] = [...NUMERIC_TYPES, 'bool'];
export const BOOL_TYPES: readonly DType[] = ['bool'];
