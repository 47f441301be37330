// Bitwise ops on integers (opset 18) and BitShift (opset 11). Unsigned ONNX types that nnrt holds
// widened (uint16 in int32, uint32 and uint64 in int64) are rewritten on import where the wider
// holding type would show (BitwiseNot, a left shift past the type's width): see
// onnx/import/converters/math.ts.
import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import type { DType } from '../../tensor/dtype.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { defineOp, type InferInput, type OpDef, type TensorType } from '../op.js';

export const INTEGER_TYPES: readonly DType[] = ['int8', 'uint8', 'int32', 'int64'];

function sameTypeBroadcast(a: InferInput, b: InferInput): TensorType[] {
  if (a.dtype !== b.dtype) throw new ShapeError(`inputs must have the same dtype, got ${a.dtype} and ${b.dtype}`);
  return [{ dtype: a.dtype, shape: broadcastShapes(a.shape, b.shape) }];
}

function bitwiseBinary(type: string): OpDef<Record<string, never>> {
  return defineOp({ type, domain: '', attrs: {}, inputs: [2, 2], outputs: [1, 1], dtypes: INTEGER_TYPES, infer: ([a, b]) => sameTypeBroadcast(a!, b!) });
}

export const BitwiseAnd = bitwiseBinary('BitwiseAnd');
export const BitwiseOr = bitwiseBinary('BitwiseOr');
export const BitwiseXor = bitwiseBinary('BitwiseXor');

// ONNX defines BitShift for unsigned types only; the shift amounts are the second input
export const BitShift = defineOp({
  type: 'BitShift', domain: '', attrs: { direction: attr.string<'LEFT' | 'RIGHT'>(undefined, ['LEFT', 'RIGHT']) },
  inputs: [2, 2], outputs: [1, 1], dtypes: ['uint8', 'int32', 'int64'],
  infer: ([a, b]) => sameTypeBroadcast(a!, b!),
});

export const BitwiseNot = defineOp({
  type: 'BitwiseNot', domain: '', attrs: {}, inputs: [1, 1], outputs: [1, 1], dtypes: INTEGER_TYPES,
  infer: ([x]) => [{ dtype: x!.dtype, shape: [...x!.shape] }],
});
