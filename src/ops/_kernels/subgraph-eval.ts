// A self-contained subgraph run inside a kernel, on the registered CPU kernels: for ops that call
// a graph attribute as a function of their own tensors (FlexAttention's score_mod / prob_mod).
// Control flow (If, Loop, Scan) is different: host ops, whose subgraphs the executor runs with
// the enclosing scope. Here the subgraph sees only what it is given: its inputs, bound in order,
// and its own initializers; its nodes run in their stored order (ONNX stores them topologically);
// a name from an enclosing graph, a host op, or an op without a CPU kernel is refused by name.
// Errors name the attribute and the inner node and carry no `where`, so the executor adds the
// node whose kernel called the subgraph.
import { ExecutionError, GraphError, NnrtError, UnsupportedError } from '../../errors.js';
import type { Graph, Node } from '../../ir/graph.js';
import { nodeWhere } from '../../ir/graph.js';
import type { KnownValue } from '../../ir/infer.js';
import { outerReferences } from '../../ir/subgraph.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { TensorType } from '../op.js';
import { bindNode, inferNode, opTyper, type BoundNode } from '../typer.js';

/** What a subgraph was checked or bound to, per graph; dropped when its node list changes. */
interface Prepared {
  nodes: readonly Node[];
  count: number;
  bound: BoundNode[];
  /** Output types by input types (`subgraphTypes` is called on every inference of the node). */
  types: Map<string, TensorType[]>;
}
const prepared = new WeakMap<Graph, Prepared>();
const MAX_TYPINGS = 64;

/**
 * Output types of `g` given inputs of these types: each node's shape function, with constants
 * folded as static inference does (so Shape → Gather → Range chains get their values).
 * `label` names the subgraph in errors, e.g. "score_mod".
 */
export function subgraphTypes(g: Graph, label: string, inputs: readonly TensorType[]): TensorType[] {
  const p = prepare(g, label);
  const key = inputs.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(';');
  const hit = p.types.get(key);
  if (hit) return hit.map((t) => ({ dtype: t.dtype, shape: [...t.shape] }));
  const outs = walk(g, label, p, inputs, (b, ins) => {
    const types = inferNode(b, ins);
    const constant = ins.every((k, i) => !b.node.inputs[i] || k?.value);
    const folded = constant ? opTyper.evaluate?.(b.node, ins) : undefined;
    return types.map((t, k) => {
      const value = folded?.[k] ?? t.value;
      return value ? { dtype: t.dtype, shape: t.shape, value } : { dtype: t.dtype, shape: t.shape };
    });
  }).map((k) => ({ dtype: k.dtype, shape: [...k.shape] }));
  if (p.types.size >= MAX_TYPINGS) p.types.clear(); // a decoder's growing sequence gives a new shape per step
  p.types.set(key, outs);
  return outs.map((t) => ({ dtype: t.dtype, shape: [...t.shape] }));
}

/** Runs `g` with `inputs` bound to its inputs in order; returns its outputs in order. */
export function runSubgraph(g: Graph, label: string, inputs: readonly Tensor[]): Tensor[] {
  const p = prepare(g, label);
  const feeds = inputs.map((t) => ({ dtype: t.dtype, shape: t.shape, value: t }));
  return walk(g, label, p, feeds, (b, ins) => {
    const types = inferNode(b, ins);
    return b.op.cpu!(ins.map((k) => k?.value), types).map((t) => ({ dtype: t.dtype, shape: t.shape, value: t }));
  }).map((k) => k.value!);
}

type Step = (b: BoundNode, ins: (KnownValue | undefined)[]) => KnownValue[];

function walk(g: Graph, label: string, p: Prepared, feeds: readonly KnownValue[], step: Step): KnownValue[] {
  if (feeds.length !== g.inputs.length) {
    throw new GraphError(`${label} takes ${g.inputs.length} input${g.inputs.length === 1 ? '' : 's'}; it is given ${feeds.length}`);
  }
  const known = new Map<string, KnownValue>();
  for (const [name, t] of g.initializers) known.set(name, { dtype: t.dtype, shape: t.shape, value: t });
  g.inputs.forEach((v, i) => known.set(v.name, feeds[i]!));
  for (const b of p.bound) {
    const ins = b.node.inputs.map((name, k) => {
      if (!name) return undefined;
      const v = known.get(name);
      // outer-scope names were refused in prepare(): this one is produced by a later node
      if (!v) {
        throw new GraphError(`${label}, ${nodeWhere(b.node)}: input ${k} '${name}' is read before the node that produces it`, {
          hint: 'store the subgraph\'s nodes in topological order, as ONNX requires',
        });
      }
      return v;
    });
    let outs: KnownValue[];
    try {
      outs = step(b, ins);
    } catch (e) {
      throw inside(e, label, b.node);
    }
    b.node.outputs.forEach((o, k) => {
      if (o && outs[k]) known.set(o, outs[k]!);
    });
  }
  return g.outputs.map((o) => {
    const v = known.get(o.name);
    if (!v) throw new GraphError(`${label}'s output '${o.name}' is never produced`);
    return v;
  });
}

/** Checks that `g` is self-contained and binds its nodes to their ops, once per node list. */
function prepare(g: Graph, label: string): Prepared {
  const p = prepared.get(g);
  if (p && p.nodes === g.nodes && p.count === g.nodes.length && p.bound.every((b, i) => b.node === g.nodes[i])) return p;
  const outer = outerReferences(g);
  if (outer.length) {
    throw new GraphError(`${label} reads ${outer.map((n) => `'${n}'`).join(', ')} from the enclosing graph; this subgraph must be self-contained`, {
      hint: 'give the value to the subgraph as an initializer of its own (or compute it inside the subgraph)',
    });
  }
  const bound = g.nodes.map((node) => {
    try {
      const b = bindNode(node, g.opsets.get(node.domain));
      if (b.def.host) throw new UnsupportedError(`${node.opType} is a host op (control flow, sequences, optionals); ${label} may use tensor ops only`);
      if (!b.op.cpu) throw new UnsupportedError(`${node.opType} has no CPU kernel, which ${label} needs to run`);
      return b;
    } catch (e) {
      throw inside(e, label, node);
    }
  });
  const fresh: Prepared = { nodes: g.nodes, count: g.nodes.length, bound, types: new Map() };
  prepared.set(g, fresh);
  return fresh;
}

/** An inner node's error, restated to name the subgraph and the node, without a `where`. */
function inside(e: unknown, label: string, node: Node): Error {
  if (!(e instanceof NnrtError)) {
    return new ExecutionError(`${label}, ${nodeWhere(node)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const Ctor = e.constructor as typeof NnrtError;
  return new Ctor(`${label}, ${e.where ?? nodeWhere(node)}: ${e.detail}`, { ...(e.hint ? { hint: e.hint } : {}), cause: e });
}
