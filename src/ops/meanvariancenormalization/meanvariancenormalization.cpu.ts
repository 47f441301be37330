import { stridesOf } from '../../tensor/shape.js';
import { normalizeAxes } from '../_kernels/axes.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import { MVN_EPSILON as EPSILON, type MeanVarianceNormalization } from './meanvariancenormalization.op.js';

export const meanVarianceNormalizationCpu: CpuKernel<typeof MeanVarianceNormalization.attrs> = ([x], { axes }, [out]) => {
  const X = f32Of(x!);
  const shape = x!.shape;
  const reduced = new Set(normalizeAxes(axes, shape.length));
  // each element's statistics slot: its index with the reduced axes dropped
  const keptShape = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const keptStrides = stridesOf(keptShape);
  const strides = stridesOf(shape);
  const slotOf = (at: number) => shape.reduce((s, _d, i) => s + (reduced.has(i) ? 0 : Math.floor(at / strides[i]!) % shape[i]! * keptStrides[i]!), 0);
  const slots = keptShape.reduce((a, d) => a * d, 1);
  const sum = new Float64Array(slots);
  const sumSq = new Float64Array(slots);
  const count = X.length / Math.max(1, slots);
  const slot = new Int32Array(X.length);
  for (let at = 0; at < X.length; at++) {
    const s = (slot[at] = slotOf(at));
    sum[s] += X[at]!;
    sumSq[s] += X[at]! * X[at]!;
  }
  const Y = new Float32Array(X.length);
  for (let at = 0; at < X.length; at++) {
    const s = slot[at]!;
    const mean = sum[s]! / count;
    const std = Math.sqrt(Math.max(0, sumSq[s]! / count - mean * mean));
    Y[at] = (X[at]! - mean) / (std + EPSILON);
  }
  return [floatResult(out!.dtype, out!.shape, Y)];
};
