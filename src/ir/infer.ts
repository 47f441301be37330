import { NnrtError, ShapeError, UsageError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Graph, Node, ValueInfo } from './graph.js';
import { nodeWhere } from './graph.js';
import { topoSort } from './topo.js';

export interface KnownValue {
  dtype: DType;
  shape: readonly number[];
  value?: Tensor;
}

/**
 * How inference reaches the op layer (the IR does not import ops): output types of one node, and
 * optionally its values when all inputs are constant (to follow Shape → Gather → Reshape chains).
 */
export interface NodeTyper {
  /** Output types; `value` where known from the input types alone (e.g. Shape). */
  infer(node: Node, inputs: (KnownValue | undefined)[]): { dtype: DType; shape: number[]; value?: Tensor }[];
  evaluate?(node: Node, inputs: (KnownValue | undefined)[]): Tensor[] | undefined;
}

/**
 * Infers the dtype and concrete shape of every value. Symbolic input dims must be bound by
 * `shapes` (input name → shape); unbound ones are an error naming the input and dim.
 * Fills `graph.valueInfo` and returns the map of all known values.
 */
export function inferShapes(graph: Graph, typer: NodeTyper, shapes: Record<string, readonly number[]> = {}): Map<string, KnownValue> {
  const known = new Map<string, KnownValue>();
  for (const [name, t] of graph.initializers) known.set(name, { dtype: t.dtype, shape: [...t.shape], value: t });
  for (const v of graph.inputs) {
    if (graph.initializers.has(v.name)) continue;
    known.set(v.name, { dtype: v.dtype, shape: bindShape(v, shapes[v.name]) });
  }
  for (const node of topoSort(graph)) {
    const ins = node.inputs.map((i) => (i ? known.get(i) : undefined));
    let outs: { dtype: DType; shape: number[]; value?: Tensor }[];
    try {
      outs = typer.infer(node, ins);
    } catch (e) {
      if (e instanceof NnrtError && e.where) throw e;
      if (e instanceof NnrtError) throw new (e.constructor as typeof NnrtError)(e.detail, { where: nodeWhere(node), ...(e.hint ? { hint: e.hint } : {}), cause: e });
      throw new ShapeError(`shape inference failed: ${(e as Error).message}`, { where: nodeWhere(node), cause: e });
    }
    const values = typer.evaluate && ins.every((k, idx) => !node.inputs[idx] || k?.value) ? typer.evaluate(node, ins) : undefined;
    node.outputs.forEach((o, k) => {
      if (!o || !outs[k]) return;
      const kv: KnownValue = { dtype: outs[k]!.dtype, shape: outs[k]!.shape };
      const value = values?.[k] ?? outs[k]!.value;
      if (value) kv.value = value;
      known.set(o, kv);
      graph.valueInfo.set(o, { name: o, dtype: kv.dtype, shape: [...kv.shape] });
    });
  }
  return known;
}

/** A graph input's concrete shape: declared static dims, with symbolic ones taken from `given`. */
export function bindShape(v: ValueInfo, given: readonly number[] | undefined): number[] {
  if (v.unknownRank) {
    if (given) return [...given];
    throw new UsageError(`input '${v.name}' declares no shape (unknown rank); give a concrete shape for it`, {
      hint: 'pass input shapes (e.g. --shape NAME=1,3,224,224) or a sample input',
    });
  }
  if (given) {
    if (given.length !== v.shape.length) {
      throw new UsageError(`input '${v.name}' has rank ${v.shape.length} ([${v.shape.join(',')}]); a shape of rank ${given.length} was given`);
    }
    v.shape.forEach((d, i) => {
      if (typeof d === 'number' && d >= 0 && d !== given[i]) {
        throw new UsageError(`input '${v.name}' dim ${i} is fixed at ${d}; ${given[i]} was given`);
      }
    });
    return [...given];
  }
  return v.shape.map((d, i) => {
    if (typeof d === 'number' && d >= 0) return d;
    throw new UsageError(`input '${v.name}' dim ${i} is symbolic ('${d}'); give a concrete shape for it`, {
      hint: 'pass input shapes (e.g. --shape NAME=1,3,224,224) or a sample input',
    });
  });
}
