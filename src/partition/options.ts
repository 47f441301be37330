import { UsageError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { findOp } from '../ops/index.js';
import type { PartitionOptions } from './types.js';

/**
 * Clusters under 3 nodes stay in the framework. A 1-node engine fuses nothing and a 2-node one
 * saves at most one dispatch, while every engine node costs a hand-over at each boundary tensor
 * (layout conversion NCHW ↔ NHWC, a separate recorded submit). TF-TRT's default is the same 3;
 * docs/partition.md gives the full reasoning.
 */
export const DEFAULT_MIN_SUBGRAPH_SIZE = 3;

/** An op name as users write it: 'Conv' (ai.onnx) or 'domain.Op'. */
function knownOp(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? findOp('', name) !== undefined : findOp(name.slice(0, dot), name.slice(dot + 1)) !== undefined;
}

/** Validates the options against the graph; returns the minimum subgraph size to use. */
export function checkPartitionOptions(graph: Graph, opts: PartitionOptions): number {
  const minSize = opts.minSubgraphSize ?? DEFAULT_MIN_SUBGRAPH_SIZE;
  if (!Number.isInteger(minSize) || minSize < 1) {
    throw new UsageError(`minimum subgraph size must be an integer ≥ 1, got ${minSize}`, { hint: `use 1 to hand every supported node to the engine (default ${DEFAULT_MIN_SUBGRAPH_SIZE})` });
  }
  for (const op of opts.excludeOps ?? []) {
    if (!knownOp(op)) {
      throw new UsageError(`unknown op name '${op}' in excludeOps`, { hint: 'op names are ONNX op types as written in the model, case-sensitive (e.g. Conv, Relu, Gemm)' });
    }
  }
  const names = new Set(graph.nodes.map((n) => n.name));
  for (const node of opts.excludeNodes ?? []) {
    if (!names.has(node)) {
      throw new UsageError(`no node named '${node}' in excludeNodes`, { where: `graph '${graph.name}'`, hint: 'node names are listed by `nnrt inspect MODEL --partition BACKEND --json`' });
    }
  }
  return minSize;
}
