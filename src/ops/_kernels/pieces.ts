// Cutting tensors into pieces along an axis and joining them back, for any dtype (sequence ops, Loop, Scan).
import { ShapeError } from '../../errors.js';
import { allocStorage, type DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { aroundAxis } from './axes.js';
import { copyElements } from './index-map.js';

/** Elements [start, start+len) of `axis`. */
export function sliceAxis(t: Tensor, axis: number, start: number, len: number): Tensor {
  const { outer, n, inner } = aroundAxis(t.shape, axis);
  const shape = [...t.shape];
  shape[axis] = len;
  const data = allocStorage(t.dtype, outer * len * inner);
  for (let o = 0; o < outer; o++) copyElements(data, o * len * inner, t.data, (o * n + start) * inner, len * inner);
  return new Tensor(t.dtype, shape, data);
}

/** Joins tensors along an existing axis; all other dims must agree. */
export function concatAxis(parts: readonly Tensor[], axis: number, dtype: DType): Tensor {
  const first = parts[0];
  if (!first) throw new ShapeError('nothing to concatenate');
  const rank = first.rank;
  if (axis < 0 || axis >= rank) throw new ShapeError(`axis ${axis} is out of range for rank ${rank}`);
  for (const p of parts) {
    if (p.dtype !== dtype) throw new ShapeError(`pieces must all be ${dtype}, got ${p.dtype}`);
    if (p.rank !== rank || p.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new ShapeError(`cannot join [${p.shape.join(',')}] with [${first.shape.join(',')}] along axis ${axis}`);
    }
  }
  const total = parts.reduce((s, p) => s + p.shape[axis]!, 0);
  const shape = [...first.shape];
  shape[axis] = total;
  const { outer, inner } = aroundAxis(shape, axis);
  const data = allocStorage(dtype, outer * total * inner);
  let start = 0;
  for (const p of parts) {
    const chunk = p.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) copyElements(data, o * total * inner + start, p.data, o * chunk, chunk);
    start += chunk;
  }
  return new Tensor(dtype, shape, data);
}

/** Stacks equal-shaped tensors along a new axis. */
export function stackAxis(parts: readonly Tensor[], axis: number, dtype: DType): Tensor {
  return concatAxis(parts.map((p) => p.reshape([...p.shape.slice(0, axis), 1, ...p.shape.slice(axis)])), axis, dtype);
}

/** Removes dim `axis` (of size 1). */
export function squeezeAxis(t: Tensor, axis: number): Tensor {
  return t.reshape([...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)]);
}

/** A normalized axis in [0, rank), or a ShapeError. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}
