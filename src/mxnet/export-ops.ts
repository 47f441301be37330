// IR op → MXNet op, for exporting graphs whose ops all have an MXNet equivalent. Each exporter
// returns one MXNet node; constant inputs that MXNet takes as attributes (shapes, axes, pads,
// slice bounds) must be initializers.
import { UnsupportedError } from '../errors.js';
import type { AttrValue } from '../ir/attr.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../tensor/tensor.js';

export interface ExportContext {
  readonly node: Node;
  readonly where: string;
  /** Input i as an MXNet tensor input (initializers become variables with params). */
  tensor(i: number): string;
  /** Input i as a param written with a different value (e.g. PReLU slopes reshaped to 1-D). */
  tensorAs(i: number, t: Tensor): string;
  /** The constant value of input i, if it is an initializer. */
  constant(i: number): Tensor | undefined;
  /** The shape of any value when known. */
  shapeOf(value: string): readonly number[] | undefined;
}

export interface MxOut {
  op: string;
  attrs: Record<string, string>;
  inputs: string[];
}

export type MxExporter = (ctx: ExportContext) => MxOut;

/** MXNet's attribute spelling: tuples "(3, 3)", booleans "True"/"False", numbers as written. */
export function fmt(v: number | boolean | string | readonly (number | null)[]): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `(${v.map((x) => (x === null ? 'None' : String(x))).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}

function attr(ctx: ExportContext, name: string): AttrValue['value'] | undefined {
  return ctx.node.attrs[name]?.value;
}
const num = (ctx: ExportContext, name: string, def: number) => (attr(ctx, name) as number | undefined) ?? def;
const ints = (ctx: ExportContext, name: string) => attr(ctx, name) as number[] | undefined;

function refuse(ctx: ExportContext, why: string): never {
  throw new UnsupportedError(`cannot export to MXNet: ${why}`, { where: ctx.where });
}

/** A constant input's values (attributes in MXNet). */
function constValues(ctx: ExportContext, i: number, what: string): number[] {
  const t = ctx.constant(i);
  if (!t) refuse(ctx, `input ${i} (${what}) must be a constant`);
  return t.toNumbers();
}

/** ONNX pads (begins..., ends...) → MXNet's symmetric pad tuple. */
function symmetricPads(ctx: ExportContext, nd: number): number[] {
  const pads = ints(ctx, 'pads') ?? new Array<number>(2 * nd).fill(0);
  const begin = pads.slice(0, nd);
  if (pads.slice(nd).some((p, i) => p !== begin[i])) refuse(ctx, `asymmetric pads (${pads.join(',')}) have no MXNet form`);
  const autoPad = attr(ctx, 'auto_pad');
  if (autoPad !== undefined && autoPad !== 'NOTSET') refuse(ctx, `auto_pad ${String(autoPad)}`);
  return begin;
}

function weightShape(ctx: ExportContext): readonly number[] {
  return ctx.shapeOf(ctx.node.inputs[1]!) ?? refuse(ctx, 'the weight shape is unknown');
}

function convLike(ctx: ExportContext, op: string, filtersOf: (w: readonly number[], group: number) => number, extra: Record<string, string>): MxOut {
  const w = weightShape(ctx);
  const kernel = ints(ctx, 'kernel_shape') ?? w.slice(2);
  const nd = kernel.length;
  const group = num(ctx, 'group', 1);
  const inputs = [ctx.tensor(0), ctx.tensor(1)];
  if (ctx.node.inputs[2]) inputs.push(ctx.tensor(2));
  return {
    op,
    attrs: {
      kernel: fmt(kernel),
      stride: fmt(ints(ctx, 'strides') ?? new Array<number>(nd).fill(1)),
      dilate: fmt(ints(ctx, 'dilations') ?? new Array<number>(nd).fill(1)),
      pad: fmt(symmetricPads(ctx, nd)),
      num_filter: fmt(filtersOf(w, group)),
      num_group: fmt(group),
      no_bias: fmt(!ctx.node.inputs[2]),
      ...extra,
    },
    inputs,
  };
}

const simple = (op: string, attrs: Record<string, string> = {}, arity = 1): MxExporter => (ctx) => ({
  op, attrs, inputs: Array.from({ length: arity }, (_, i) => ctx.tensor(i)),
});

function pooling(type: 'max' | 'avg'): MxExporter {
  return (ctx) => {
    const kernel = ints(ctx, 'kernel_shape')!;
    const nd = kernel.length;
    if ((ints(ctx, 'dilations') ?? []).some((d) => d !== 1)) refuse(ctx, 'dilated pooling');
    const attrs: Record<string, string> = {
      kernel: fmt(kernel), pool_type: type,
      stride: fmt(ints(ctx, 'strides') ?? new Array<number>(nd).fill(1)),
      pad: fmt(symmetricPads(ctx, nd)),
      pooling_convention: num(ctx, 'ceil_mode', 0) ? 'full' : 'valid',
    };
    if (type === 'avg') attrs.count_include_pad = fmt(num(ctx, 'count_include_pad', 0) === 1);
    return { op: 'Pooling', attrs, inputs: [ctx.tensor(0)] };
  };
}

/** Binary ops: broadcast_* on tensors, the `_*_scalar` form when one side is a one-element constant. */
function binary(name: string, scalar: string, reversed?: string): MxExporter {
  return (ctx): MxOut => {
    const [a, b] = [ctx.constant(0), ctx.constant(1)];
    if (b && b.size === 1) return { op: `_${scalar}_scalar`, attrs: { scalar: fmt(b.toNumbers()[0]!) }, inputs: [ctx.tensor(0)] };
    if (a && a.size === 1) {
      const op = reversed ?? (['plus', 'mul', 'maximum', 'minimum'].includes(scalar) ? scalar : undefined);
      if (op) return { op: `_${op}_scalar`, attrs: { scalar: fmt(a.toNumbers()[0]!) }, inputs: [ctx.tensor(1)] };
    }
    return { op: `broadcast_${name}`, attrs: {}, inputs: [ctx.tensor(0), ctx.tensor(1)] };
  };
}

function reduce(op: string): MxExporter {
  return (ctx) => {
    const axes = ctx.node.inputs[1] ? constValues(ctx, 1, 'axes') : ints(ctx, 'axes');
    const attrs: Record<string, string> = { keepdims: fmt(num(ctx, 'keepdims', 1) === 1) };
    if (axes?.length) attrs.axis = fmt(axes);
    return { op, attrs, inputs: [ctx.tensor(0)] };
  };
}

const INT32_MAX = 2 ** 31 - 1;

export const MX_EXPORTERS: Record<string, MxExporter> = {
  Conv: (ctx) => convLike(ctx, 'Convolution', (w) => w[0]!, {}),
  ConvTranspose: (ctx) => {
    if (ctx.node.attrs.output_shape) refuse(ctx, 'ConvTranspose with output_shape');
    const nd = weightShape(ctx).length - 2;
    return convLike(ctx, 'Deconvolution', (w, g) => w[1]! * g, { adj: fmt(ints(ctx, 'output_padding') ?? new Array<number>(nd).fill(0)) });
  },
  BatchNormalization: (ctx) => ({
    op: 'BatchNorm',
    attrs: { eps: fmt(num(ctx, 'epsilon', 1e-5)), fix_gamma: 'False', use_global_stats: 'True' },
    inputs: [0, 1, 2, 3, 4].map((i) => ctx.tensor(i)),
  }),
  Relu: simple('Activation', { act_type: 'relu' }),
  Sigmoid: simple('Activation', { act_type: 'sigmoid' }),
  Tanh: simple('Activation', { act_type: 'tanh' }),
  Softplus: simple('Activation', { act_type: 'softrelu' }),
  Softsign: simple('Activation', { act_type: 'softsign' }),
  LeakyRelu: (ctx) => ({ op: 'LeakyReLU', attrs: { act_type: 'leaky', slope: fmt(num(ctx, 'alpha', 0.01)) }, inputs: [ctx.tensor(0)] }),
  Elu: (ctx) => ({ op: 'LeakyReLU', attrs: { act_type: 'elu', slope: fmt(num(ctx, 'alpha', 1)) }, inputs: [ctx.tensor(0)] }),
  Selu: (ctx) => {
    if (ctx.node.attrs.alpha || ctx.node.attrs.gamma) refuse(ctx, 'Selu with non-default alpha/gamma');
    return { op: 'LeakyReLU', attrs: { act_type: 'selu' }, inputs: [ctx.tensor(0)] };
  },
  Gelu: (ctx) => {
    if (attr(ctx, 'approximate') === 'tanh') refuse(ctx, "Gelu approximate='tanh' (MXNet's gelu is the erf form)");
    return { op: 'LeakyReLU', attrs: { act_type: 'gelu' }, inputs: [ctx.tensor(0)] };
  },
  PRelu: (ctx) => {
    // MXNet's gamma is 1-D over axis 1: (C, 1, 1) slopes flatten to (C,)
    const slope = ctx.constant(1);
    const shape = slope?.shape ?? [];
    if (!slope || shape.slice(1).some((d) => d !== 1)) refuse(ctx, 'PRelu slopes must be a constant of shape (C, 1, ..., 1)');
    return { op: 'LeakyReLU', attrs: { act_type: 'prelu' }, inputs: [ctx.tensor(0), ctx.tensorAs(1, slope.reshape([Math.max(slope.size, 1)]))] };
  },
  MaxPool: pooling('max'),
  AveragePool: pooling('avg'),
  GlobalMaxPool: simple('Pooling', { global_pool: 'True', kernel: '(1, 1)', pool_type: 'max' }),
  GlobalAveragePool: simple('Pooling', { global_pool: 'True', kernel: '(1, 1)', pool_type: 'avg' }),
  Gemm: (ctx) => {
    if (num(ctx, 'transA', 0) || num(ctx, 'alpha', 1) !== 1 || num(ctx, 'beta', 1) !== 1) refuse(ctx, 'Gemm with transA or alpha/beta ≠ 1');
    const c = ctx.node.inputs[2] ? ctx.shapeOf(ctx.node.inputs[2]) : undefined;
    if (c && c.length !== 1) refuse(ctx, 'Gemm bias must be 1-D');
    let weight: string;
    if (num(ctx, 'transB', 0)) weight = ctx.tensor(1);
    else {
      const b = ctx.constant(1) ?? refuse(ctx, 'Gemm without transB needs a constant B (FullyConnected takes Wᵀ)');
      const [k, n] = b.shape as [number, number];
      const v = b.numeric();
      const t = new Float64Array(k * n);
      for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) t[j * k + i] = v[i * n + j]!;
      weight = ctx.tensorAs(1, Tensor.fromNumeric(b.dtype, [n, k], t));
    }
    const w = weightShape(ctx);
    const hidden = num(ctx, 'transB', 0) ? w[0]! : w[1]!;
    const inputs = [ctx.tensor(0), weight];
    if (ctx.node.inputs[2]) inputs.push(ctx.tensor(2));
    return { op: 'FullyConnected', attrs: { no_bias: fmt(!ctx.node.inputs[2]), num_hidden: fmt(hidden), flatten: 'True' }, inputs };
  },
  Flatten: (ctx) => (num(ctx, 'axis', 1) === 1 ? { op: 'Flatten', attrs: {}, inputs: [ctx.tensor(0)] } : refuse(ctx, 'Flatten on an axis other than 1')),
  Softmax: (ctx) => ({ op: 'softmax', attrs: { axis: fmt(num(ctx, 'axis', -1)) }, inputs: [ctx.tensor(0)] }),
  LogSoftmax: (ctx) => ({ op: 'log_softmax', attrs: { axis: fmt(num(ctx, 'axis', -1)) }, inputs: [ctx.tensor(0)] }),
  Add: binary('add', 'plus'),
  Sub: binary('sub', 'minus', 'rminus'),
  Mul: binary('mul', 'mul'),
  Div: binary('div', 'div', 'rdiv'),
  Max: binary('maximum', 'maximum'),
  Min: binary('minimum', 'minimum'),
  Pow: binary('power', 'power', 'rpower'),
  Sum: (ctx) => ({ op: 'add_n', attrs: { num_args: fmt(ctx.node.inputs.length) }, inputs: ctx.node.inputs.map((_, i) => ctx.tensor(i)) }),
  Concat: (ctx) => ({ op: 'Concat', attrs: { dim: fmt(num(ctx, 'axis', 0)), num_args: fmt(ctx.node.inputs.length) }, inputs: ctx.node.inputs.map((_, i) => ctx.tensor(i)) }),
  Split: (ctx) => {
    const n = ctx.node.outputs.length;
    if (ctx.node.inputs[1]) {
      const sizes = constValues(ctx, 1, 'split');
      if (sizes.some((s) => s !== sizes[0])) refuse(ctx, `unequal split (${sizes.join(',')})`);
    }
    return { op: 'SliceChannel', attrs: { axis: fmt(num(ctx, 'axis', 0)), num_outputs: fmt(n) }, inputs: [ctx.tensor(0)] };
  },
  Reshape: (ctx) => {
    if (num(ctx, 'allowzero', 0)) refuse(ctx, 'Reshape with allowzero=1');
    return { op: 'Reshape', attrs: { shape: fmt(constValues(ctx, 1, 'shape')) }, inputs: [ctx.tensor(0)] };
  },
  Transpose: (ctx) => {
    const perm = ints(ctx, 'perm');
    return { op: 'transpose', attrs: perm ? { axes: fmt(perm) } : {}, inputs: [ctx.tensor(0)] } as MxOut;
  },
  Pad: (ctx) => {
    const pads = constValues(ctx, 1, 'pads');
    if (ctx.node.inputs[3]) refuse(ctx, 'Pad with axes');
    const r = pads.length / 2;
    const width = Array.from({ length: r }, (_, i) => [pads[i]!, pads[r + i]!]).flat();
    const value = ctx.node.inputs[2] ? constValues(ctx, 2, 'constant_value')[0]! : 0;
    return { op: 'Pad', attrs: { mode: String(attr(ctx, 'mode') ?? 'constant'), pad_width: fmt(width), constant_value: fmt(value) }, inputs: [ctx.tensor(0)] };
  },
  ReduceMean: reduce('mean'),
  ReduceSum: reduce('sum'),
  ReduceMax: reduce('max'),
  ReduceMin: reduce('min'),
  Sqrt: simple('sqrt'),
  Reciprocal: simple('reciprocal'),
  Exp: simple('exp'),
  Log: simple('log'),
  Abs: simple('abs'),
  Neg: simple('negative'),
  Identity: simple('_copy'),
  Dropout: simple('_copy'),
  Clip: (ctx) => {
    const lo = ctx.node.inputs[1] ? constValues(ctx, 1, 'min')[0]! : -3.4028234663852886e38;
    const hi = ctx.node.inputs[2] ? constValues(ctx, 2, 'max')[0]! : 3.4028234663852886e38;
    return { op: 'clip', attrs: { a_min: fmt(lo), a_max: fmt(hi) }, inputs: [ctx.tensor(0)] };
  },
  Resize: (ctx) => {
    const scales = ctx.node.inputs[2] ? constValues(ctx, 2, 'scales') : [];
    const s = scales[2];
    const nearestFloor = attr(ctx, 'mode') === 'nearest' && attr(ctx, 'coordinate_transformation_mode') === 'asymmetric' && attr(ctx, 'nearest_mode') === 'floor';
    if (!nearestFloor || scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1 || scales[3] !== s || !Number.isInteger(s)) {
      refuse(ctx, 'only nearest (asymmetric, floor) Resize by one integer factor on H and W maps to UpSampling');
    }
    return { op: 'UpSampling', attrs: { num_args: '1', sample_type: 'nearest', scale: fmt(s!) }, inputs: [ctx.tensor(0)] };
  },
  Slice: (ctx) => {
    const starts = constValues(ctx, 1, 'starts');
    const ends = constValues(ctx, 2, 'ends');
    const rank = ctx.shapeOf(ctx.node.inputs[0]!)?.length;
    const axes = ctx.node.inputs[3] ? constValues(ctx, 3, 'axes').map((a) => (a < 0 && rank ? a + rank : a)) : starts.map((_, i) => i);
    if (axes.some((a) => a < 0)) refuse(ctx, 'negative slice axes on an input of unknown rank');
    const steps = ctx.node.inputs[4] ? constValues(ctx, 4, 'steps') : starts.map(() => 1);
    const n = Math.max(...axes) + 1;
    const begin: (number | null)[] = new Array<number | null>(n).fill(null);
    const end: (number | null)[] = new Array<number | null>(n).fill(null);
    const step: (number | null)[] = new Array<number | null>(n).fill(null);
    axes.forEach((a, i) => {
      // ONNX's ±2^63-style extremes mean "to the end": None in MXNet
      begin[a] = Math.abs(starts[i]!) >= INT32_MAX ? null : starts[i]!;
      end[a] = Math.abs(ends[i]!) >= INT32_MAX ? null : ends[i]!;
      step[a] = steps[i]!;
    });
    return { op: 'slice', attrs: { begin: fmt(begin), end: fmt(end), step: fmt(step) }, inputs: [ctx.tensor(0)] };
  },
  Unsqueeze: (ctx) => {
    const axes = constValues(ctx, 1, 'axes');
    if (axes.length !== 1) refuse(ctx, 'Unsqueeze of several axes');
    return { op: 'expand_dims', attrs: { axis: fmt(axes[0]!) }, inputs: [ctx.tensor(0)] };
  },
  Squeeze: (ctx) => {
    const attrs: Record<string, string> = ctx.node.inputs[1] ? { axis: fmt(constValues(ctx, 1, 'axes')) } : {};
    return { op: 'squeeze', attrs, inputs: [ctx.tensor(0)] };
  },
};
