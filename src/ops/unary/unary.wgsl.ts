// WebGPU kernels of the one-input elementwise ops: one WGSL expression per op over `x0` (the
// input in its device type), with `p_*` parameters from attributes passed as uniforms.
import { RegistrationError } from '../../errors.js';
import { elementwiseProgram, type ElementwiseSpec } from '../../devices/webgpu/elementwise.js';
import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { ERF, f32Literal, NAN_MINMAX, TANH } from '../../wgsl/math.js';

interface UnaryEntry {
  expr: string;
  /** Attribute values the expression reads as p_<name>, with ONNX defaults. */
  params?: (attrs: Record<string, unknown>) => Record<string, number>;
  /** Device types the expression is valid for (default f32 only). */
  types?: readonly ('f32' | 'i32' | 'u32')[];
  /** WGSL helper functions the expression calls (each a separate declaration, deduplicated by callers). */
  helpers?: readonly string[];
  /** The result is a bool (u32 0/1), not a value of the input type. */
  result?: 'bool';
  /** The expression for f32 when it differs (NaN-propagating max for Relu). */
  f32?: string;
  /** A variant of the expression chosen by a string attribute (Gelu's approximate). */
  variant?: (attrs: Record<string, unknown>) => string;
}

const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
const SIGNED = ['f32', 'i32'] as const;

export const UNARY_WGSL: Record<string, UnaryEntry> = {
  Relu: { expr: 'max(x0, T(0))', f32: 'nmax_(x0, 0.0)', types: SIGNED, helpers: [NAN_MINMAX] },
  LeakyRelu: { expr: 'select(x0 * p_alpha, x0, x0 >= 0.0)', params: (a) => ({ alpha: num(a.alpha, 0.01) }) },
  Sigmoid: { expr: '1.0 / (1.0 + exp(-x0))' },
  Tanh: { expr: 'tanh_(x0)', helpers: [TANH] },
  Elu: { expr: 'select(p_alpha * (exp(x0) - 1.0), x0, x0 >= 0.0)', params: (a) => ({ alpha: num(a.alpha, 1) }) },
  Selu: {
    expr: 'p_gamma * select(p_alpha * (exp(x0) - 1.0), x0, x0 > 0.0)',
    params: (a) => ({ alpha: num(a.alpha, 1.67326319217681884765625), gamma: num(a.gamma, 1.05070102214813232421875) }),
  },
  HardSigmoid: { expr: 'nmin_(nmax_(p_alpha * x0 + p_beta, 0.0), 1.0)', helpers: [NAN_MINMAX], params: (a) => ({ alpha: num(a.alpha, 0.2), beta: num(a.beta, 0.5) }) },
  HardSwish: { expr: 'x0 * nmin_(nmax_(x0 / 6.0 + 0.5, 0.0), 1.0)', helpers: [NAN_MINMAX] },
  Softplus: { expr: 'nmax_(x0, 0.0) + log(1.0 + exp(-abs(x0)))', helpers: [NAN_MINMAX] },
  Softsign: { expr: 'x0 / (1.0 + abs(x0))' },
  Erf: { expr: 'erf_(x0)', helpers: [ERF] },
  Gelu: {
    expr: '',
    variant: (a) => (a.approximate === 'tanh'
      ? '0.5 * x0 * (1.0 + tanh_(0.7978845608028654 * (x0 + 0.044715 * x0 * x0 * x0)))'
      : '0.5 * x0 * (1.0 + erf_(x0 * 0.7071067811865476))'),
    helpers: [ERF, TANH],
  },
  Sqrt: { expr: 'sqrt(x0)' },
  Reciprocal: { expr: '1.0 / x0' },
  Exp: { expr: 'exp(x0)' },
  Log: { expr: 'log(x0)' },
  Neg: { expr: '-x0', types: SIGNED },
  Abs: { expr: 'abs(x0)', types: ['f32', 'i32', 'u32'] },
  Sign: { expr: 'sign(x0)', types: SIGNED },
  Ceil: { expr: 'ceil(x0)' },
  Floor: { expr: 'floor(x0)' },
  Round: { expr: 'round(x0)' }, // WGSL rounds half to even, as ONNX does
  Not: { expr: '1u - x0', types: ['u32'] },
  BitwiseNot: { expr: '~x0', types: ['i32', 'u32'] },
  Sin: { expr: 'sin(x0)' },
  Cos: { expr: 'cos(x0)' },
  Tan: { expr: 'tan(x0)' },
  Asin: { expr: 'asin(x0)' },
  Acos: { expr: 'acos(x0)' },
  Atan: { expr: 'atan(x0)' },
  Sinh: { expr: 'sinh(x0)' },
  Cosh: { expr: 'cosh(x0)' },
  Asinh: { expr: 'asinh(x0)' },
  Acosh: { expr: 'acosh(x0)' },
  Atanh: { expr: 'atanh(x0)' },
  Celu: { expr: 'nmax_(x0, 0.0) + nmin_(0.0, p_alpha * (exp(x0 / p_alpha) - 1.0))', helpers: [NAN_MINMAX], params: (a) => ({ alpha: num(a.alpha, 1) }) },
  Mish: { expr: 'x0 * tanh_(nmax_(x0, 0.0) + log(1.0 + exp(-abs(x0))))', helpers: [TANH, NAN_MINMAX] },
  Swish: { expr: 'x0 / (1.0 + exp(-p_alpha * x0))', params: (a) => ({ alpha: num(a.alpha, 1) }) },
  ThresholdedRelu: { expr: 'select(0.0, x0, x0 > p_alpha)', params: (a) => ({ alpha: num(a.alpha, 1) }) },
  Shrink: {
    expr: 'select(select(0.0, x0 - p_bias, x0 > p_lambd), x0 + p_bias, x0 < -p_lambd)',
    params: (a) => ({ bias: num(a.bias, 0), lambd: num(a.lambd, 0.5) }),
  },
  // bool results from the f32 bit pattern (WGSL has no isnan/isinf)
  IsNaN: { result: 'bool', expr: 'select(0u, 1u, (bitcast<u32>(x0) & 0x7fffffffu) > 0x7f800000u)' },
  IsInf: {
    result: 'bool',
    expr: 'select(0u, 1u, (bitcast<u32>(x0) == 0x7f800000u && p_detect_positive != 0.0) || (bitcast<u32>(x0) == 0xff800000u && p_detect_negative != 0.0))',
    params: (a) => ({ detect_negative: num(a.detect_negative, 1), detect_positive: num(a.detect_positive, 1) }),
  },
};

/** The GPU kernel of a table op: refuses dtypes its expression is not written for. */
export function unaryKernel(op: string): GpuKernel {
  const entry = UNARY_WGSL[op];
  if (!entry) throw new RegistrationError(`unary op '${op}' has no WGSL expression`, { hint: 'add it to UNARY_WGSL' });
  return ([x], attrs, [out]) => {
    const t = wgslType(x!.dtype);
    if (!(entry.types ?? ['f32']).includes(t)) return `${op} has no WGSL form for ${x!.dtype}`;
    const expr = (entry.variant ? entry.variant(attrs) : t === 'f32' && entry.f32 ? entry.f32 : entry.expr).replaceAll('T(', `${t}(`);
    const spec: ElementwiseSpec = { name: op, expr };
    if (entry.params) spec.params = entry.params(attrs);
    if (entry.helpers) spec.helpers = entry.helpers.join('');
    return { programs: [elementwiseProgram(spec, [x!], out!)] };
  };
}

/** An op's f32 form as one WGSL function, for kernels that evaluate it inline (the engine's). */
export interface UnaryF32Function {
  /** `fn <name>(x0: f32) -> f32 { ... }` with the attribute values inlined. */
  wgsl: string;
  /** Helper declarations it calls (deduplicate across functions by identity). */
  helpers: readonly string[];
}

/** The ops with an f32 → f32 WGSL form (what the engine's pointwise layers can evaluate). */
export function unaryF32Ops(): string[] {
  return Object.entries(UNARY_WGSL).filter(([, e]) => (e.types ?? ['f32']).includes('f32') && e.result !== 'bool').map(([op]) => op);
}

/** `op`'s f32 expression of the f32 variable `x`, with `attrs` (ONNX attribute values) inlined. */
export function unaryF32Expr(op: string, attrs: Readonly<Record<string, unknown>>, x: string): { expr: string; helpers: readonly string[] } {
  const entry = UNARY_WGSL[op];
  if (!entry || !unaryF32Ops().includes(op)) throw new RegistrationError(`unary op '${op}' has no f32 WGSL form`, { hint: 'see UNARY_WGSL' });
  const params = entry.params?.(attrs) ?? {};
  const expr = (entry.variant ? entry.variant(attrs) : entry.f32 ?? entry.expr).replaceAll('T(', 'f32(')
    .replace(/\bp_(\w+)\b/g, (_, k: string) => f32Literal(params[k]!)).replace(/\bx0\b/g, x);
  return { expr: `(${expr})`, helpers: entry.helpers ?? [] };
}

/** `op`'s f32 expression as a function named `name`, with `attrs` (ONNX attribute values) inlined. */
export function unaryF32Function(op: string, attrs: Readonly<Record<string, unknown>>, name: string): UnaryF32Function {
  const { expr, helpers } = unaryF32Expr(op, attrs, 'x0');
  return { wgsl: `fn ${name}(x0: f32) -> f32 { return ${expr}; }\n`, helpers };
}
