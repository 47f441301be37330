// Checks host kernels use to take sequences and positions from their inputs.
import { ExecutionError, ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { describeValue, isTensor, TensorSequence, type Value } from '../../tensor/value.js';

export function sequenceArg(v: Value | undefined, what = 'input 0'): TensorSequence {
  if (v instanceof TensorSequence) return v;
  throw new ExecutionError(`${what} must be a sequence, got ${v ? describeValue(v) : 'nothing'}`);
}

export function tensorArg(v: Value | undefined, what: string): Tensor {
  if (isTensor(v)) return v;
  throw new ExecutionError(`${what} must be a tensor, got ${v ? describeValue(v) : 'nothing'}`);
}

/** A position input (int32/int64 scalar) normalized into [0, n) (or [0, n] when `end` is allowed). */
export function positionArg(v: Value | undefined, n: number, fallback: number, allowEnd: boolean): number {
  if (v === undefined) return fallback;
  const t = tensorArg(v, 'the position');
  if (t.size !== 1 || (t.dtype !== 'int32' && t.dtype !== 'int64')) throw new ShapeError(`the position must be an int32 or int64 scalar, got ${t.dtype}[${t.shape.join(',')}]`);
  const p = t.toNumbers()[0]!;
  const q = p < 0 ? p + n : p;
  if (q < 0 || q > n || (q === n && !allowEnd)) {
    throw new ShapeError(`position ${p} is out of range for a sequence of ${n} (allowed ${-n}..${allowEnd ? n : n - 1})`);
  }
  return q;
}
