import { allocNumeric } from '../../tensor/dtype.js';
import { mulberry32 } from '../../tensor/random.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { CpuKernel, TensorType } from '../op.js';
import type { Bernoulli, Multinomial, RandomNormal, RandomNormalLike, RandomUniform, RandomUniformLike } from './random.op.js';

/** A uniform [0, 1) generator: from the float `seed` when given (its integer and fraction parts), else fresh. */
function generator(seed: number | undefined): () => number {
  if (seed === undefined) return mulberry32(Math.floor(Math.random() * 2 ** 32));
  const whole = Math.trunc(seed);
  return mulberry32((whole ^ Math.round((seed - whole) * 2 ** 31)) >>> 0);
}

/** Standard normal draws by the Box–Muller transform (1 − u keeps the log finite). */
function gaussian(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

function fill(out: TensorType, draw: () => number): ReturnType<typeof numericResult> {
  const y = allocNumeric(out.dtype, out.shape.reduce((a, d) => a * d, 1));
  for (let i = 0; i < y.length; i++) y[i] = draw();
  return numericResult(out, y);
}

interface UniformAttrs { high: number; low: number; seed: number | undefined }
interface NormalAttrs { mean: number; scale: number; seed: number | undefined }

// the *Like forms differ only in where the shape and dtype come from, which inference settled
export const randomUniformCpu: CpuKernel<typeof RandomUniform.attrs> = (_inputs, a, [out]) => [uniformDraws(a, out!)];
export const randomUniformLikeCpu: CpuKernel<typeof RandomUniformLike.attrs> = (_inputs, a, [out]) => [uniformDraws(a, out!)];
export const randomNormalCpu: CpuKernel<typeof RandomNormal.attrs> = (_inputs, a, [out]) => [normalDraws(a, out!)];
export const randomNormalLikeCpu: CpuKernel<typeof RandomNormalLike.attrs> = (_inputs, a, [out]) => [normalDraws(a, out!)];

function uniformDraws({ high, low, seed }: UniformAttrs, out: TensorType) {
  const u = generator(seed);
  return fill(out, () => low + (high - low) * u());
}

function normalDraws({ mean, scale, seed }: NormalAttrs, out: TensorType) {
  const g = gaussian(generator(seed));
  return fill(out, () => mean + scale * g());
}

export const bernoulliCpu: CpuKernel<typeof Bernoulli.attrs> = ([x], { seed }, [out]) => {
  const u = generator(seed);
  const p = x!.numeric();
  let i = 0;
  return [fill(out!, () => +(u() < p[i++]!))];
};

// Each sample inverts the cumulative softmax of its row at a uniform draw.
export const multinomialCpu: CpuKernel<typeof Multinomial.attrs> = ([x], { seed, sample_size }, [out]) => {
  const u = generator(seed);
  const [batch, classes] = x!.shape as [number, number];
  const logits = x!.numeric();
  const y = allocNumeric(out!.dtype, batch * sample_size);
  const cdf = new Float64Array(classes);
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[b * classes + c]!);
    let total = 0;
    for (let c = 0; c < classes; c++) cdf[c] = total += Math.exp(logits[b * classes + c]! - max);
    for (let s = 0; s < sample_size; s++) {
      const target = u() * total;
      let c = 0;
      while (c < classes - 1 && cdf[c]! <= target) c++;
      y[b * sample_size + s] = c;
    }
  }
  return [numericResult(out!, y)];
};
