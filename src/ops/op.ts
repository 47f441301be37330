import type { AttrSchema, AttrsOf, Attrs } from '../ir/attr.js';
import type { Graph } from '../ir/graph.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { InferInput, TensorType } from '../tensor/tensor-type.js';
import type { Value } from '../tensor/value.js';

export type { InferInput, TensorType };

/**
 * An op's definition: typed attributes, arity, and its shape function — the only place output
 * shapes are computed. Kernels receive the computed output types and never recompute them.
 */
export interface OpDef<S extends AttrSchema = AttrSchema> {
  readonly type: string;
  /** '' for ai.onnx, 'nnrt' for nnrt's own ops. */
  readonly domain: string;
  readonly attrs: S;
  /** Minimum and maximum input count (omitted optional inputs are ''). */
  readonly inputs: readonly [number, number];
  readonly outputs: readonly [number, number];
  /** Dtypes the op accepts on input 0 (the kernels' dtype coverage); others are UnsupportedError. */
  readonly dtypes?: readonly DType[];
  /**
   * Inputs whose *values* (not just shapes) determine output shapes, e.g. Reshape's `shape`.
   * Shape inference fails with a clear message when such an input is not constant.
   */
  readonly valueInputs?: readonly number[];
  /**
   * The op moves, compares or converts elements without computing on them, so it takes string
   * tensors too (Identity, Reshape, Concat, Gather, Equal, Cast...). Others refuse strings.
   */
  readonly strings?: boolean;
  /**
   * A host op: it takes and gives whole values (sequences, optionals, not only tensors), may run
   * subgraphs, and its output types are known only when it runs. Its kernel is a HostKernel and
   * it runs on the host whatever the device.
   */
  readonly host?: boolean;
  /**
   * The output shapes depend on the *data* of `valueInputs` (NonZero, Unique, Compress,
   * NonMaxSuppression), which is usually known only when the node runs: executors infer such a
   * node's outputs at run time, and static inference stops at it unless those inputs are constant.
   */
  readonly dataDependentShape?: boolean;
  /** Outputs are random draws, not a function of the inputs: never constant-folded. */
  readonly random?: boolean;
  /** Output types; `inputs[i]` is undefined for an omitted optional input. */
  infer(inputs: readonly (InferInput | undefined)[], attrs: AttrsOf<S>, outputCount: number): TensorType[];
}

export function defineOp<S extends AttrSchema>(def: OpDef<S>): OpDef<S> {
  return def;
}

/** A reference CPU kernel: inputs (undefined where omitted), parsed attributes, the output types. */
export type CpuKernel<S extends AttrSchema = AttrSchema> = (
  inputs: readonly (Tensor | undefined)[],
  attrs: AttrsOf<S>,
  outputs: readonly TensorType[],
) => Tensor[];

/** What a host kernel may ask of the executor running it. */
export interface HostContext {
  /** Runs one of this node's subgraphs with its inputs bound in order; returns its outputs in order. */
  runSubgraph(g: Graph, inputs: readonly (Value | undefined)[]): Value[];
  /** The most iterations a Loop may run (a session option), so that no model hangs the process. */
  readonly maxLoopIterations: number;
}

/** A host op's kernel: whole values in, whole values out (see OpDef.host). */
export type HostKernel<S extends AttrSchema = AttrSchema> = (
  inputs: readonly (Value | undefined)[],
  attrs: AttrsOf<S>,
  ctx: HostContext,
) => Value[];

/** A node's raw attributes, parsed once against its op's schema. */
export type RawAttrs = Attrs;
