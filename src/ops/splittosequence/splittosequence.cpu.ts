import { ShapeError } from '../../errors.js';
import { TensorSequence } from '../../tensor/value.js';
import { normAxis, sliceAxis, squeezeAxis } from '../_kernels/pieces.js';
import type { HostKernel } from '../op.js';
import { tensorArg } from '../sequence/sequence-values.js';
import type { SplitToSequence } from './splittosequence.op.js';

export const splitToSequenceCpu: HostKernel<typeof SplitToSequence.attrs> = ([x, s], { axis, keepdims }) => {
  const t = tensorArg(x, 'input 0');
  const a = normAxis(axis, t.rank);
  const n = t.shape[a]!;
  let lengths: number[];
  if (s === undefined) lengths = Array.from({ length: n }, () => 1);
  else {
    const split = tensorArg(s, 'split');
    const v = split.toNumbers();
    if (split.rank === 0) {
      if (!(v[0]! > 0)) throw new ShapeError(`a scalar split must be positive, got ${v[0]}`);
      lengths = [];
      for (let at = 0; at < n; at += v[0]!) lengths.push(Math.min(v[0]!, n - at));
    } else {
      lengths = v;
      if (v.some((l) => l < 0) || v.reduce((p, q) => p + q, 0) !== n) throw new ShapeError(`split lengths [${v.join(',')}] must be non-negative and sum to ${n}`);
    }
  }
  let start = 0;
  const pieces = lengths.map((len) => {
    const piece = sliceAxis(t, a, start, len);
    start += len;
    return s === undefined && keepdims === 0 ? squeezeAxis(piece, a) : piece;
  });
  return [new TensorSequence(t.dtype, pieces)];
};
