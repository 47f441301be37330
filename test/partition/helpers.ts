// Shared by the partition tests: tiny graphs, a toy support table, and a reference runner for
// graphs that contain nnrt.Engine nodes (each engine's subgraph runs on the CPU framework).
import { CpuExecutor } from '../../src/executor/executor.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { inferShapes, type KnownValue } from '../../src/ir/infer.js';
import { topoSort } from '../../src/ir/topo.js';
import { opTyper, bindNode, inferNode } from '../../src/ops/index.js';
import { byTable, type SupportPredicate } from '../../src/partition/predicate.js';
import { isEngineNode } from '../../src/partition/engine-op.js';
import { partitionGraph } from '../../src/partition/partition.js';
import type { PartitionOptions } from '../../src/partition/types.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** A toy backend taking exactly these op types (no constraints). */
export function supportsOps(...ops: string[]): SupportPredicate {
  return byTable('toy', Object.fromEntries(ops.map((op) => [op, () => true as const])));
}

/** The toy backend used by most structure tests: Relu, Add, Mul, Split, Identity are "supported"; Abs, Neg are not. */
export const TOY = supportsOps('Relu', 'Add', 'Mul', 'Split', 'Identity');

export function builder(shape = [1, 4]): { b: GraphBuilder; x: string } {
  const b = new GraphBuilder('tiny');
  return { b, x: b.input('x', 'float32', shape) };
}

export function typesOf(g: Graph): Map<string, KnownValue> {
  return inferShapes(g, opTyper);
}

/** Partitions with the toy backend; returns the subgraphs' node lists and the rest. */
export function partitionToy(g: Graph, opts: Partial<PartitionOptions> = {}) {
  const r = partitionGraph(g, typesOf(g), { supports: TOY, backend: 'toy', ...opts });
  return { r, lists: r.subgraphs.map((s) => s.nodes), declined: r.declined.map((d) => d.node), small: r.tooSmall.map((c) => c.nodes) };
}

/** Runs a graph whose engine nodes run their subgraphs with the CPU framework (the reference). */
export function runWithEngines(g: Graph, feeds: Record<string, Tensor>): Record<string, Tensor> {
  const env = new Map<string, Tensor>([...g.initializers, ...Object.entries(feeds)]);
  for (const n of topoSort(g)) {
    const ins = n.inputs.map((i) => (i ? env.get(i) : undefined));
    let outs: Tensor[];
    if (isEngineNode(n)) {
      const res = new CpuExecutor(n.subgraph).run(Object.fromEntries(n.inputs.map((i, k) => [i, ins[k]!])));
      outs = n.outputs.map((o) => res[o]!);
    } else {
      const bound = bindNode(n, g.opsets.get(n.domain));
      const types = inferNode(bound, ins.map((t) => (t ? { dtype: t.dtype, shape: t.shape, value: t } : undefined)));
      outs = bound.op.cpu!(ins, types);
    }
    n.outputs.forEach((o, k) => o && env.set(o, outs[k]!));
  }
  return Object.fromEntries(g.outputs.map((o) => [o.name, env.get(o.name)!]));
}

/**
 * Brute-force cycle-safety check, independent of the partitioner: for each subgraph, no path
 * that starts at one of its nodes, steps outside, and comes back in.
 */
export function reentrantSubgraphs(g: Graph, subgraphs: readonly { id: number; nodes: readonly string[] }[]): number[] {
  const producers = g.producers();
  const succ = new Map<string, Set<string>>(g.nodes.map((n) => [n.name, new Set()]));
  for (const n of g.nodes) for (const i of n.inputs) { const p = i ? producers.get(i) : undefined; if (p) succ.get(p.name)!.add(n.name); }
  const bad: number[] = [];
  for (const s of subgraphs) {
    const inside = new Set(s.nodes);
    const seen = new Set<string>();
    const stack = s.nodes.flatMap((n) => [...succ.get(n)!].filter((m) => !inside.has(m)));
    let back = false;
    while (stack.length && !back) {
      const v = stack.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      for (const m of succ.get(v)!) {
        if (inside.has(m)) back = true;
        else stack.push(m);
      }
    }
    if (back) bad.push(s.id);
  }
  return bad;
}
