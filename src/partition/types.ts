import type { SupportPredicate } from './predicate.js';

export interface PartitionOptions {
  /** Per-node support (the engine backend publishes its own: see backends.ts). */
  supports: SupportPredicate;
  /** The backend's name, for reasons and the report. */
  backend: string;
  /** Clusters with fewer nodes stay in the framework (default DEFAULT_MIN_SUBGRAPH_SIZE). */
  minSubgraphSize?: number;
  /** Op types forced to run in the framework ('Conv', or 'domain.Op' for other domains). */
  excludeOps?: readonly string[];
  /** Node names forced to run in the framework. */
  excludeNodes?: readonly string[];
  /** Nodes a build refused (see fallback.ts), each with the reason: they stay in the framework. */
  fallbackNodes?: ReadonlyMap<string, string>;
  /**
   * A shape profile's test: whether a value that inference folded at these (opt) shapes changes
   * elsewhere in the profile. Such a value read by a framework node is computed at each run (a
   * mask built from the Shape of a hidden state), so its reads of engine tensors are real.
   */
  variesWithShape?: (value: string) => boolean;
}

/** One subgraph the engine takes over; becomes one nnrt.Engine node. */
export interface PartitionSubgraph {
  /** 0, 1, … in the order the subgraphs finish: by their last node's place in the topological order. */
  id: number;
  /** Node names in topological order. */
  nodes: string[];
  /** Values computed outside the subgraph that it reads at run time, in first-use order. */
  inputs: string[];
  /** Constants it reads (initializers, or values shape inference folded); they move into the engine. */
  constants: string[];
  /** Values it computes that the framework or the caller reads (graph outputs included). */
  outputs: string[];
  /** Op type → count. */
  ops: Record<string, number>;
}

export interface DeclinedNode {
  node: string;
  op: string;
  reason: string;
}

/** A cluster of supported nodes left to the framework because it was below the minimum size. */
export interface SmallCluster {
  nodes: string[];
  ops: Record<string, number>;
  reason: string;
}

export interface PartitionResult {
  backend: string;
  minSubgraphSize: number;
  /** Node count of the graph partitioned. */
  totalNodes: number;
  subgraphs: PartitionSubgraph[];
  /** Unsupported or excluded nodes, in topological order, each with its reason. */
  declined: DeclinedNode[];
  tooSmall: SmallCluster[];
  /**
   * Tensors crossing a framework ↔ engine boundary (each subgraph input and output, graph inputs
   * and outputs included): every one is a hand-over between executors, possibly a copy/relayout.
   */
  boundaryTensors: number;
  /** What a dry build refused and what was done about it (partitionWithFallback only). */
  fallbacks?: Fallback[];
}

/** Nodes a build of their subgraph refused: sent back to the framework, or kept in fp32. */
export interface Fallback {
  nodes: string[];
  reason: string;
  action: 'framework' | 'fp32';
}
