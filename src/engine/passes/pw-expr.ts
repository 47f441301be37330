// Pointwise expressions (PwExpr, network.ts) and their operands: how a layer's operands broadcast
// to its output, how constants are referenced, and the algebra the fusion passes need (substitute
// one operand by another layer's expression, recognise per-channel affine forms).
//
// Operand convention: a PointwiseLayer's `inputs` lists its operands; an `{ op: 'input', index }`
// leaf reads `inputs[index]`. A constant operand is named `const:i` in `inputs` and reads
// `constants[i]` (not a network tensor). A bare Float32Array broadcasts by its length: the output's
// element count → same shape (row-major logical order); the output's dim 1 → per channel; 1 →
// scalar (single values are usually `const` leaves instead). Any other numpy broadcast (a bias [N]
// against [B, S, N], a mask [1, 1, S] against [B, S, S]) is a ShapedConstant, which carries its shape.
import type { Activation, PointwiseLayer, PwExpr } from '../network.js';
import { elementCount } from '../../tensor/shape.js';

/** A constant operand with its own (numpy-broadcastable) shape, row-major values. */
export interface ShapedConstant {
  values: Float32Array;
  shape: readonly number[];
}
export type PwConstant = Float32Array | ShapedConstant;
export const isShaped = (c: PwConstant): c is ShapedConstant => !(c instanceof Float32Array);
/** The constant's values, whatever its form. */
export const constantValues = (c: PwConstant): Float32Array => (isShaped(c) ? c.values : c);

/** True when `shape` broadcasts to `out` by the numpy rules (right-aligned, each dim equal or 1). */
export function numpyBroadcasts(shape: readonly number[], out: readonly number[]): boolean {
  const lead = out.length - shape.length;
  return lead >= 0 && shape.every((d, i) => d === out[lead + i] || d === 1);
}

export const CONST_OPERAND_PREFIX = 'const:';

export const constOperand = (i: number): string => `${CONST_OPERAND_PREFIX}${i}`;
export const isConstOperand = (name: string): boolean => name.startsWith(CONST_OPERAND_PREFIX);
export const constOperandIndex = (name: string): number => Number(name.slice(CONST_OPERAND_PREFIX.length));

export type Broadcast = 'same' | 'scalar' | 'channel';

/**
 * How an operand of shape `shape` broadcasts to `out`: the same shape, one element, or per channel
 * (right-aligned, every dim 1 except dim 1 of the output, e.g. [C,1,1] or [1,C,1,1] against a
 * rank-4 output); undefined when it is none of these.
 */
export function classifyBroadcast(shape: readonly number[], out: readonly number[]): Broadcast | undefined {
  if (shape.length === out.length && shape.every((d, i) => d === out[i])) return 'same';
  if (elementCount(shape) === 1) return 'scalar';
  if (out.length < 2 || shape.length > out.length) return undefined;
  const aligned = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  return aligned.every((d, i) => (i === 1 ? d === out[1] : d === 1)) ? 'channel' : undefined;
}

/** How a constant of `length` values broadcasts to `out` (see the operand convention above). */
export function constantBroadcast(length: number, out: readonly number[]): Broadcast | undefined {
  if (length === elementCount(out)) return 'same';
  if (length === 1) return 'scalar';
  if (out.length >= 2 && length === out[1]) return 'channel';
  return undefined;
}

/** `x · k`, `k · x` or `x / k` with k a constant number, as the layer's only operation on x: the factor on x. */
export function scalarFactorOf(c: PointwiseLayer, x: string): number | undefined {
  const e = c.expr;
  if (c.inputs.length !== 1 || c.inputs[0] !== x || e.op !== 'binary') return undefined;
  if (e.fn === 'mul') {
    if (e.a.op === 'input' && e.b.op === 'const') return e.b.value;
    if (e.a.op === 'const' && e.b.op === 'input') return e.a.value;
  }
  if (e.fn === 'div' && e.a.op === 'input' && e.b.op === 'const') return 1 / e.b.value;
  return undefined;
}

export const input = (index: number): PwExpr => ({ op: 'input', index });
export const constant = (value: number): PwExpr => ({ op: 'const', value });
export const act = (a: Activation, arg: PwExpr): PwExpr => ({ op: 'act', act: a, arg });

/** `e` with every input leaf rewritten by `f` (which may return any expression). */
export function mapInputs(e: PwExpr, f: (index: number) => PwExpr): PwExpr {
  switch (e.op) {
    case 'input': return f(e.index);
    case 'const': return e;
    case 'unary': return { ...e, arg: mapInputs(e.arg, f) };
    case 'act': return { ...e, arg: mapInputs(e.arg, f) };
    case 'binary': return { ...e, a: mapInputs(e.a, f), b: mapInputs(e.b, f) };
  }
}

/** Input indices an expression reads. */
export function usedInputs(e: PwExpr, into = new Set<number>()): Set<number> {
  mapInputs(e, (i) => (into.add(i), input(i)));
  return into;
}

/** A one-line rendering for logs and test messages: `relu(add(in0, in1))`. */
export function showExpr(e: PwExpr): string {
  switch (e.op) {
    case 'input': return `in${e.index}`;
    case 'const': return String(e.value);
    case 'unary': return `${e.fn}(${showExpr(e.arg)})`;
    case 'act': return `${e.act.kind}(${showExpr(e.arg)})`;
    case 'binary': return `${e.fn}(${showExpr(e.a)}, ${showExpr(e.b)})`;
  }
}

/**
 * Merges `inner` (producing operand `name` of `outer`) into `outer`: the leaves of `outer` that
 * read `name` become `inner`'s expression; operands and constants of both are combined, shared
 * tensors listed once. Returns the combined operands, constants and expression.
 */
export function substituteOperand(outer: PointwiseLayer, name: string, inner: PointwiseLayer):
{ inputs: string[]; constants: PwConstant[]; expr: PwExpr } {
  const inputs: string[] = [];
  const constants: PwConstant[] = [];
  const indexOf = (operand: string, owner: PointwiseLayer): number => {
    if (isConstOperand(operand)) {
      constants.push(owner.constants![constOperandIndex(operand)]!);
      inputs.push(constOperand(constants.length - 1));
      return inputs.length - 1;
    }
    const at = inputs.indexOf(operand);
    if (at >= 0) return at;
    inputs.push(operand);
    return inputs.length - 1;
  };
  // Give every operand its new index once, in a stable order (outer's operands first).
  const outerMap = new Map<number, number>();
  outer.inputs.forEach((operand, i) => { if (operand !== name) outerMap.set(i, indexOf(operand, outer)); });
  const innerMap = new Map<number, number>();
  inner.inputs.forEach((operand, i) => innerMap.set(i, indexOf(operand, inner)));
  const innerExpr = mapInputs(inner.expr, (i) => input(innerMap.get(i)!));
  const expr = mapInputs(outer.expr, (i) => (outer.inputs[i] === name ? innerExpr : input(outerMap.get(i)!)));
  return pruneOperands(inputs, constants, expr);
}

/** Drops operands the expression no longer reads and renumbers the rest. */
export function pruneOperands(inputs: string[], constants: PwConstant[], expr: PwExpr):
{ inputs: string[]; constants: PwConstant[]; expr: PwExpr } {
  const used = usedInputs(expr);
  const keptInputs: string[] = [];
  const keptConstants: PwConstant[] = [];
  const remap = new Map<number, number>();
  inputs.forEach((operand, i) => {
    if (!used.has(i)) return;
    remap.set(i, keptInputs.length);
    if (isConstOperand(operand)) {
      keptConstants.push(constants[constOperandIndex(operand)]!);
      keptInputs.push(constOperand(keptConstants.length - 1));
    } else keptInputs.push(operand);
  });
  return { inputs: keptInputs, constants: keptConstants, expr: mapInputs(expr, (i) => input(remap.get(i)!)) };
}

/** Per-channel y = scale[c]·x + shift[c]. */
export interface Affine {
  scale: Float32Array;
  shift: Float32Array;
}

/**
 * When a pointwise layer computes a per-channel affine function of exactly one tensor operand
 * (`x`), its scale and shift for `channels` channels (dim 1 of the output); otherwise undefined.
 * Understands input/const leaves, constant operands (scalar or per channel), add, sub, mul by a
 * constant, div by a constant, and neg.
 */
export function affineOf(l: PointwiseLayer, x: string, channels: number, outShape: readonly number[]): Affine | undefined {
  const ops = l.inputs.filter((n) => !isConstOperand(n));
  if (ops.length !== 1 || ops[0] !== x) return undefined;
  type Lin = { a: Float64Array; b: Float64Array; constant: boolean };
  const full = (v: number) => new Float64Array(channels).fill(v);
  const constLin = (values: ArrayLike<number>): Lin => ({ a: full(0), b: Float64Array.from(values), constant: true });
  const walk = (e: PwExpr): Lin | undefined => {
    switch (e.op) {
      case 'const': return constLin(full(e.value));
      case 'input': {
        const operand = l.inputs[e.index]!;
        if (!isConstOperand(operand)) return { a: full(1), b: full(0), constant: false };
        const c = l.constants?.[constOperandIndex(operand)];
        if (!c) return undefined;
        const values = isShaped(c) ? shapedChannelValues(c, outShape) : c;
        if (!values) return undefined;
        const kind = constantBroadcast(values.length, outShape);
        if (kind === 'scalar') return constLin(full(values[0]!));
        if (kind === 'channel' || (kind === 'same' && values.length === channels)) return constLin(values);
        return undefined;
      }
      case 'unary': {
        if (e.fn !== 'Neg') return undefined;
        const v = walk(e.arg);
        return v && { a: v.a.map((t) => -t), b: v.b.map((t) => -t), constant: v.constant };
      }
      case 'act': return undefined;
      case 'binary': {
        const p = walk(e.a);
        const q = walk(e.b);
        if (!p || !q) return undefined;
        const zip = (u: Float64Array, w: Float64Array, f: (s: number, t: number) => number) => u.map((s, i) => f(s, w[i]!));
        switch (e.fn) {
          case 'add': return { a: zip(p.a, q.a, (s, t) => s + t), b: zip(p.b, q.b, (s, t) => s + t), constant: p.constant && q.constant };
          case 'sub': return { a: zip(p.a, q.a, (s, t) => s - t), b: zip(p.b, q.b, (s, t) => s - t), constant: p.constant && q.constant };
          case 'mul': {
            if (!p.constant && !q.constant) return undefined;
            const [k, v] = p.constant ? [p.b, q] : [q.b, p];
            return { a: zip(v.a, k, (s, t) => s * t), b: zip(v.b, k, (s, t) => s * t), constant: v.constant };
          }
          case 'div': {
            if (!q.constant) return undefined;
            return { a: zip(p.a, q.b, (s, t) => s / t), b: zip(p.b, q.b, (s, t) => s / t), constant: p.constant };
          }
          default: return undefined;
        }
      }
    }
  };
  const lin = walk(l.expr);
  if (!lin || lin.constant) return undefined;
  return { scale: Float32Array.from(lin.a), shift: Float32Array.from(lin.b) };
}

/** A shaped constant's values when it is one per channel (dim 1 of `out`) or one element. */
function shapedChannelValues(c: ShapedConstant, out: readonly number[]): Float32Array | undefined {
  const kind = classifyBroadcast(c.shape, out);
  return kind === 'channel' || kind === 'scalar' ? c.values : undefined;
}

/** The activation when the expression is exactly `act(in[index])`. */
export function activationOf(e: PwExpr, index: number): Activation | undefined {
  return e.op === 'act' && e.arg.op === 'input' && e.arg.index === index ? e.act : undefined;
}
