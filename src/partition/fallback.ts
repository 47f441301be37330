// Partitioning that never proposes a subgraph the engine then refuses. Each proposed subgraph is
// checked by the backend's verifier (a dry build); a refused node goes back to the framework, or,
// when the refusal says a higher precision could help, its layer is kept in fp32; then the graph is
// partitioned again. Each round moves at least one node, so the loop ends.
import type { Graph } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import { applyPartition, type AppliedPartition } from './apply.js';
import { partitionGraph } from './partition.js';
import type { Fallback, PartitionOptions, PartitionResult } from './types.js';

/** Why a backend cannot build a subgraph: the nodes at fault (empty: all) and what may help. */
export interface SubgraphRefusal {
  nodes: string[];
  reason: string;
  remedy: 'framework' | 'fp32';
}

/** A dry build of one subgraph at its input shapes, with these layers forced to fp32. */
export type SubgraphVerifier = (subgraph: Graph, inputShapes: Record<string, number[]>, fp32Layers: Readonly<Record<string, 'fp32'>>) => SubgraphRefusal | undefined;

export interface PartitionWithFallback {
  result: PartitionResult;
  applied: AppliedPartition;
  /** Nodes whose layers the engine must build in fp32 (merge into BuilderConfig.layerPrecision). */
  fp32Layers: Record<string, 'fp32'>;
}

/** partitionGraph + applyPartition, re-partitioned until `verify` accepts every subgraph. */
export function partitionWithFallback(graph: Graph, shapes: ReadonlyMap<string, KnownValue>, opts: PartitionOptions, verify: SubgraphVerifier): PartitionWithFallback {
  const back = new Map(opts.fallbackNodes ?? []);
  const fp32Layers: Record<string, 'fp32'> = {};
  const fallbacks: Fallback[] = [];
  for (;;) {
    const result = partitionGraph(graph, shapes, { ...opts, fallbackNodes: back });
    const applied = applyPartition(graph, shapes, result);
    let moved = false;
    for (const [k, engine] of applied.engineNodes.entries()) {
      const sub = engine.subgraph;
      const inputShapes = Object.fromEntries(sub.inputs.map((v) => [v.name, v.shape.map(Number)]));
      const refusal = verify(sub, inputShapes, fp32Layers);
      if (!refusal) continue;
      const members = new Set(result.subgraphs[k]!.nodes);
      const named = refusal.nodes.filter((n) => members.has(n));
      const nodes = named.length ? named : [...members];
      if (refusal.remedy === 'fp32' && nodes.some((n) => !fp32Layers[n])) {
        for (const n of nodes) fp32Layers[n] = 'fp32';
        fallbacks.push({ nodes, reason: refusal.reason, action: 'fp32' });
      } else {
        for (const n of nodes) back.set(n, `the engine refused it: ${refusal.reason}`);
        fallbacks.push({ nodes, reason: refusal.reason, action: 'framework' });
      }
      moved = true;
    }
    if (!moved) return { result: { ...result, fallbacks }, applied, fp32Layers };
  }
}
