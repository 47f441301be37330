// Makes an engine node partitioned at a profile's opt shapes valid across the whole profile.
// Partitioning folds values that inference knows (Shape → Gather → Concat chains feeding a Reshape)
// into constants of the subgraph, and those are the opt shape's values: any that differ at the
// profile's min or max is computed inside the subgraph again (its Shape chain is copied in, so
// the engine's importer folds it at each shape). The subgraph's inputs get symbolic dims where the
// profile varies them, and the node records each input's range (EngineNode.profile).
import type { Graph, Node, OutputInfo, ValueInfo } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import type { EngineNode } from '../partition/engine-op.js';
import type { PlanProfileInput } from '../engine/plan-format.js';
import type { Tensor } from '../tensor/tensor.js';

/** Inference results of the graph at the profile's three points. */
export interface ProfileKnown {
  min: ReadonlyMap<string, KnownValue>;
  opt: ReadonlyMap<string, KnownValue>;
  max: ReadonlyMap<string, KnownValue>;
}

/** Nodes of the subgraph to leave to the framework, and why. */
export interface ProfileRefusal {
  nodes: string[];
  reason: string;
}

const SHAPE_READERS = new Set(['Shape', 'Size']);

/** Whether two folded values are equal: same dtype, shape and elements (compared in place: weights can be millions of elements). */
function sameValue(a?: Tensor, b?: Tensor): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.data as ArrayLike<unknown>;
  const y = b.data as ArrayLike<unknown>;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  return true;
}

/** Whether a value folded at the profile's opt shapes is different at its min or max. */
export function variesInProfile(graph: Graph, known: ProfileKnown, name: string): boolean {
  const o = known.opt.get(name)?.value;
  return !graph.initializers.has(name) && !!o && !(sameValue(o, known.min.get(name)?.value) && sameValue(o, known.max.get(name)?.value));
}

/** Rewrites `node.subgraph` for the profile; returns the engine inputs' ranges, or what to send back. */
export function generalizeEngineNode(graph: Graph, node: EngineNode, known: ProfileKnown): PlanProfileInput[] | ProfileRefusal {
  const sub = node.subgraph;
  const varies = (name: string) => variesInProfile(graph, known, name);
  const inSub = new Set([...sub.inputs.map((v) => v.name), ...sub.nodes.flatMap((n) => n.outputs)]);
  const producers = graph.producers();
  const chain: Node[] = [];
  const leaves = new Map<string, Tensor>();
  for (const c of [...sub.initializers.keys()].filter(varies)) {
    const readers = sub.nodes.filter((n) => n.inputs.includes(c)).map((n) => n.name);
    const stack = [c];
    while (stack.length) {
      const name = stack.pop()!;
      const p = producers.get(name);
      if (!p) return { nodes: readers, reason: `'${c}' is computed from input '${name}', whose value changes with the shape` };
      if (chain.includes(p)) continue;
      chain.push(p);
      if (SHAPE_READERS.has(p.opType) && !p.domain) {
        const t = p.inputs[0]!;
        if (!inSub.has(t)) return { nodes: readers, reason: `'${c}' depends on the shape of '${t}', which is outside this engine and changes within the profile` };
        continue;
      }
      for (const i of p.inputs) {
        if (!i) continue;
        if (varies(i)) stack.push(i);
        else {
          const v = graph.initializers.get(i) ?? known.opt.get(i)?.value;
          if (!v) return { nodes: readers, reason: `'${c}' depends on '${i}', which has no value before the run` };
          leaves.set(i, v);
        }
      }
    }
    sub.initializers.delete(c);
  }
  if (chain.length) {
    const order = new Map(graph.nodes.map((n, k) => [n, k]));
    chain.sort((a, b) => order.get(a)! - order.get(b)!);
    sub.nodes = [...chain.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })), ...sub.nodes];
    for (const [n, t] of leaves) if (!sub.initializers.has(n)) sub.initializers.set(n, t);
  }
  const ranges = sub.inputs.map((v) => range(v.name, known));
  sub.inputs = sub.inputs.map((v) => symbolic(v, known));
  sub.outputs = sub.outputs.map((o) => symbolic(o, known) as OutputInfo);
  node.profile = ranges;
  return ranges;
}

function range(name: string, known: ProfileKnown): PlanProfileInput {
  return { name, min: [...known.min.get(name)!.shape], opt: [...known.opt.get(name)!.shape], max: [...known.max.get(name)!.shape] };
}

/** The value's type with a symbolic dim (a name) wherever the profile changes it. */
function symbolic<T extends ValueInfo | OutputInfo>(v: T, known: ProfileKnown): T {
  const r = range(v.name, known);
  return { ...v, shape: r.opt.map((d, i) => (r.min[i] === d && r.max[i] === d ? d : `${v.name}_d${i}`)) };
}
