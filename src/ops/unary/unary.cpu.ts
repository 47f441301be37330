// Reference kernels of the one-input elementwise ops: each is a scalar function of x (made from
// the op's attributes), applied by mapUnary. Round is half to even (Math.round rounds half up).
import type { AttrSchema, AttrsOf } from '../../ir/attr.js';
import { roundHalfEven } from '../../tensor/element-type.js';
import { mapUnary, type UnaryFn } from '../_kernels/elementwise.js';
import { erf } from '../_kernels/erf.js';
import type { CpuKernel } from '../op.js';
import type { Celu, Elu, Gelu, HardSigmoid, IsInf, LeakyRelu, Selu, Shrink, Swish, ThresholdedRelu } from './unary.op.js';

/** A kernel applying the scalar function that `fn` makes from the node's attributes. */
function unaryKernel<S extends AttrSchema = Record<string, never>>(fn: (attrs: AttrsOf<S>) => UnaryFn): CpuKernel<S> {
  return ([x], attrs, [out]) => [mapUnary(x!, out!, fn(attrs))];
}

// e^(−|x|) never overflows; the two branches are the same function
const sigmoid = (x: number) => {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
};
// log(1 + e^x) = max(x, 0) + log(1 + e^(−|x|)), which never overflows
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const absCpu = unaryKernel(() => Math.abs);
export const negCpu = unaryKernel(() => (x) => -x);
export const signCpu = unaryKernel(() => Math.sign);
export const ceilCpu = unaryKernel(() => Math.ceil);
export const floorCpu = unaryKernel(() => Math.floor);
export const roundCpu = unaryKernel(() => roundHalfEven);
export const sqrtCpu = unaryKernel(() => Math.sqrt);
export const reciprocalCpu = unaryKernel(() => (x) => 1 / x);
export const expCpu = unaryKernel(() => Math.exp);
export const logCpu = unaryKernel(() => Math.log);
export const sinCpu = unaryKernel(() => Math.sin);
export const cosCpu = unaryKernel(() => Math.cos);
export const erfCpu = unaryKernel(() => erf);
export const notCpu = unaryKernel(() => (x) => (x ? 0 : 1));

export const sigmoidCpu = unaryKernel(() => sigmoid);
export const tanhCpu = unaryKernel(() => Math.tanh);
export const softplusCpu = unaryKernel(() => softplus);
export const softsignCpu = unaryKernel(() => (x) => x / (1 + Math.abs(x)));
export const hardSwishCpu = unaryKernel(() => (x) => x * clamp01(x / 6 + 0.5));
export const leakyReluCpu = unaryKernel<typeof LeakyRelu.attrs>(({ alpha }) => (x) => (x < 0 ? alpha * x : x));
export const eluCpu = unaryKernel<typeof Elu.attrs>(({ alpha }) => (x) => (x < 0 ? alpha * (Math.exp(x) - 1) : x));
export const seluCpu = unaryKernel<typeof Selu.attrs>(({ alpha, gamma }) => (x) => gamma * (x > 0 ? x : alpha * (Math.exp(x) - 1)));
export const hardSigmoidCpu = unaryKernel<typeof HardSigmoid.attrs>(({ alpha, beta }) => (x) => clamp01(alpha * x + beta));
export const geluCpu = unaryKernel<typeof Gelu.attrs>(({ approximate }) =>
  approximate === 'tanh'
    ? (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
    : (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)));

export const tanCpu = unaryKernel(() => Math.tan);
export const asinCpu = unaryKernel(() => Math.asin);
export const acosCpu = unaryKernel(() => Math.acos);
export const atanCpu = unaryKernel(() => Math.atan);
export const sinhCpu = unaryKernel(() => Math.sinh);
export const coshCpu = unaryKernel(() => Math.cosh);
export const asinhCpu = unaryKernel(() => Math.asinh);
export const acoshCpu = unaryKernel(() => Math.acosh);
export const atanhCpu = unaryKernel(() => Math.atanh);

export const celuCpu = unaryKernel<typeof Celu.attrs>(({ alpha }) => (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha)));
export const mishCpu = unaryKernel(() => (x) => x * Math.tanh(softplus(x)));
export const swishCpu = unaryKernel<typeof Swish.attrs>(({ alpha }) => (x) => x * sigmoid(alpha * x));
export const thresholdedReluCpu = unaryKernel<typeof ThresholdedRelu.attrs>(({ alpha }) => (x) => (x > alpha ? x : 0));
export const shrinkCpu = unaryKernel<typeof Shrink.attrs>(({ bias, lambd }) => (x) => (x < -lambd ? x + bias : x > lambd ? x - bias : 0));
export const isNaNCpu = unaryKernel(() => (x) => +Number.isNaN(x));
export const isInfCpu = unaryKernel<typeof IsInf.attrs>(({ detect_negative, detect_positive }) =>
  (x) => +((x === Infinity && detect_positive !== 0) || (x === -Infinity && detect_negative !== 0)));
