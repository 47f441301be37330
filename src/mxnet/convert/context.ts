// What an MXNet op converter sees: the MXNet node, its inputs as IR value names, the shapes known
// so far, and ways to emit IR nodes (ONNX semantics, newest opset form) and constants.
import { GraphError, UnsupportedError } from '../../errors.js';
import type { AttrValue, Attrs } from '../../ir/attr.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { MxAttrs } from '../attr-parse.js';
import type { MxNode } from '../symbol.js';

export interface ConvertContext {
  readonly node: MxNode;
  readonly attrs: MxAttrs;
  /** Names the node for errors: "node 'conv1' (Convolution)". */
  readonly where: string;
  /** IR value name of input `i`; a GraphError naming `what` when the node lacks it. */
  input(i: number, what: string): string;
  /** Number of inputs the MXNet node has. */
  readonly inputCount: number;
  /** IR value name the node's visible output `i` must be written to. */
  output(i?: number): string;
  /** The shape of a value when known (graph input shapes propagated through converted nodes). */
  shapeOf(value: string): readonly number[] | undefined;
  /** The shape of a value, or a UsageError saying why the converter needs it. */
  needShape(value: string, why: string): readonly number[];
  dtypeOf(value: string): DType | undefined;
  /** The constant value of an initializer. */
  constantOf(value: string): Tensor | undefined;
  /** Adds an initializer; returns its (unique) name. */
  constant(hint: string, t: Tensor): string;
  /** Emits an IR node; returns its output names (fresh temporaries unless `outputs` is given). */
  emit(opType: string, inputs: string[], attrs?: Attrs, outputs?: string[] | number): string[];
}

/** IR attribute builders. */
export const ir = {
  int: (value: number): AttrValue => ({ type: 'int', value }),
  ints: (value: number[]): AttrValue => ({ type: 'ints', value }),
  float: (value: number): AttrValue => ({ type: 'float', value }),
  string: (value: string): AttrValue => ({ type: 'string', value }),
};

export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

/** A 1-D int64 constant (shapes, axes, slice bounds); bigint entries for values beyond 2^53. */
export function int64s(ctx: ConvertContext, hint: string, values: readonly (number | bigint)[]): string {
  return ctx.constant(hint, new Tensor('int64', [values.length], BigInt64Array.from(values, (v) => BigInt(v))));
}

/** A scalar constant in the dtype of `like` (float32 when unknown). */
export function scalarLike(ctx: ConvertContext, hint: string, value: number, like: string): string {
  return ctx.constant(hint, Tensor.scalar(ctx.dtypeOf(like) ?? 'float32', value));
}

/** An MXNet spatial tuple (kernel/stride/dilate/pad): `nd` entries, empty meaning all `fill`. */
export function spatial(ctx: ConvertContext, name: string, nd: number, fill: number): number[] {
  const v = ctx.attrs.ints(name, []);
  if (v.length === 0) return new Array<number>(nd).fill(fill);
  if (v.length !== nd) throw new GraphError(`attribute '${name}' has ${v.length} entries, the kernel has ${nd}`, { where: ctx.where });
  return v;
}

/** Refuses layouts other than channels-first (the only one ONNX ops take). */
export function requireNCHW(ctx: ConvertContext): void {
  const layout = ctx.attrs.str('layout', 'None');
  if (!['None', 'NCW', 'NCHW', 'NCDHW'].includes(layout)) {
    throw new UnsupportedError(`layout ${layout} is not supported; only channels-first (NCW, NCHW, NCDHW)`, { where: ctx.where });
  }
}

export function unsupported(ctx: ConvertContext, what: string): never {
  throw new UnsupportedError(what, { where: ctx.where });
}

