// Random generators: RandomUniform/RandomNormal (shape from an attribute), their *Like forms
// (shape, and dtype by default, from the input), Bernoulli and Multinomial. ONNX leaves the
// generator to the runtime: nnrt draws from mulberry32, so a given `seed` repeats nnrt's own draws
// (on every run), never numpy's; without a seed every run draws afresh. These ops are never
// constant-folded (OpDef.random).
import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { ALL_TYPES, FLOAT_TYPES } from '../dtype-groups.js';
import { castTarget } from '../cast/cast.op.js';
import { defineOp } from '../op.js';

const seed = attr.optional(attr.float());
const uniform = { high: attr.float(1), low: attr.float(0), seed };
const normal = { mean: attr.float(0), scale: attr.float(1), seed };

function floatTarget(code: number): 'float32' | 'float16' {
  const dtype = castTarget(code).dtype;
  if (dtype !== 'float32' && dtype !== 'float16') throw new ShapeError(`dtype must be a float type, got ${dtype}`);
  return dtype;
}

function checkShape(shape: readonly number[]): number[] {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`shape [${shape.join(',')}] must hold non-negative integers`);
  return [...shape];
}

export const RandomUniform = defineOp({
  type: 'RandomUniform', domain: '', attrs: { ...uniform, dtype: attr.int(1), shape: attr.ints() },
  inputs: [0, 0], outputs: [1, 1], random: true,
  infer: (_inputs, { dtype, shape }) => [{ dtype: floatTarget(dtype), shape: checkShape(shape) }],
});

export const RandomNormal = defineOp({
  type: 'RandomNormal', domain: '', attrs: { ...normal, dtype: attr.int(1), shape: attr.ints() },
  inputs: [0, 0], outputs: [1, 1], random: true,
  infer: (_inputs, { dtype, shape }) => [{ dtype: floatTarget(dtype), shape: checkShape(shape) }],
});

export const RandomUniformLike = defineOp({
  type: 'RandomUniformLike', domain: '', attrs: { ...uniform, dtype: attr.optional(attr.int()) },
  inputs: [1, 1], outputs: [1, 1], dtypes: ALL_TYPES, random: true,
  infer: ([x], { dtype }) => [{ dtype: dtype === undefined ? x!.dtype : floatTarget(dtype), shape: [...x!.shape] }],
});

export const RandomNormalLike = defineOp({
  type: 'RandomNormalLike', domain: '', attrs: { ...normal, dtype: attr.optional(attr.int()) },
  inputs: [1, 1], outputs: [1, 1], dtypes: ALL_TYPES, random: true,
  infer: ([x], { dtype }) => [{ dtype: dtype === undefined ? x!.dtype : floatTarget(dtype), shape: [...x!.shape] }],
});

// y[i] = 1 with probability x[i], else 0, in `dtype` (default: x's)
export const Bernoulli = defineOp({
  type: 'Bernoulli', domain: '', attrs: { dtype: attr.optional(attr.int()), seed },
  inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES, random: true,
  infer: ([x], { dtype }) => [{ dtype: dtype === undefined ? x!.dtype : castTarget(dtype).dtype, shape: [...x!.shape] }],
});

// x [batch, classes] holds unnormalized log-probabilities; y [batch, sample_size] class indices
export const Multinomial = defineOp({
  type: 'Multinomial', domain: '', attrs: { dtype: attr.int(6), sample_size: attr.int(1), seed },
  inputs: [1, 1], outputs: [1, 1], dtypes: FLOAT_TYPES, random: true,
  infer: ([x], { dtype, sample_size }) => {
    if (x!.shape.length !== 2) throw new ShapeError(`input must be [batch, classes], got [${x!.shape.join(',')}]`);
    const out = castTarget(dtype).dtype;
    if (out !== 'int32' && out !== 'int64') throw new ShapeError(`dtype must be int32 or int64, got ${out}`);
    if (sample_size < 1) throw new ShapeError(`sample_size must be ≥ 1, got ${sample_size}`);
    return [{ dtype: out, shape: [x!.shape[0]!, sample_size] }];
  },
});
