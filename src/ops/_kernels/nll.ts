// The negative log-likelihood reduction shared by NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss. With x seen as [N, C, D] (D: the trailing dims flattened) and target
// as [N, D]: loss[n, d] = −x[n, target[n, d], d] · w[target[n, d]] (w = 1 without weights), and 0
// where target equals ignore_index. 'mean' divides the sum by the summed weights of the kept
// elements, 'sum' sums, 'none' keeps the target's shape.
import { ExecutionError, ShapeError } from '../../errors.js';
import type { InferInput, TensorType } from '../op.js';

export type LossReduction = 'none' | 'sum' | 'mean';

/** The loss output type; checks that target is x's shape without the class axis. */
export function lossType(x: InferInput, target: InferInput, weight: InferInput | undefined, reduction: LossReduction): TensorType {
  if (x.shape.length < 2) throw new ShapeError(`input must be [N, C, ...], got [${x.shape.join(',')}]`);
  const want = [x.shape[0]!, ...x.shape.slice(2)];
  if (target.shape.length !== want.length || target.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(`target must be [${want.join(',')}] (input's shape without the class axis), got [${target.shape.join(',')}]`);
  }
  if (target.dtype !== 'int32' && target.dtype !== 'int64') throw new ShapeError(`target must be int32 or int64, got ${target.dtype}`);
  if (weight && (weight.shape.length !== 1 || weight.shape[0] !== x.shape[1])) {
    throw new ShapeError(`weight must be [${x.shape[1]}] (one per class), got [${weight.shape.join(',')}]`);
  }
  return { dtype: x.dtype, shape: reduction === 'none' ? want : [] };
}

export function nllLoss(
  x: ArrayLike<number>, shape: readonly number[], target: ArrayLike<number>, weight: ArrayLike<number> | undefined,
  ignoreIndex: number | undefined, reduction: LossReduction,
): Float64Array {
  const n = shape[0]!;
  const c = shape[1]!;
  const d = shape.slice(2).reduce((p, q) => p * q, 1);
  const loss = new Float64Array(n * d);
  let sum = 0;
  let weights = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const t = target[i * d + k]!;
      if (t === ignoreIndex) continue;
      if (!Number.isInteger(t) || t < 0 || t >= c) {
        throw new ExecutionError(`target value ${t} at [${i}, ${k}] is not a class index in [0, ${c}) nor ignore_index`);
      }
      const w = weight ? weight[t]! : 1;
      const l = -x[(i * c + t) * d + k]! * w;
      loss[i * d + k] = l;
      sum += l;
      weights += w;
    }
  }
  if (reduction === 'none') return loss;
  return Float64Array.of(reduction === 'sum' ? sum : sum / weights);
}
