// The partitioner: support predicates, cycle-safe partitioning, engine node insertion, report.
export * from './predicate.js';
export * from './types.js';
export { partitionGraph, applyPartition, DEFAULT_MIN_SUBGRAPH_SIZE } from './partition.js';
export type { AppliedPartition, MakeEngineNode, WeightBytes } from './apply.js';
export { EngineOp, ENGINE_OP_TYPE, isEngineNode, type EngineNode } from './engine-op.js';
export { partitionWithFallback, type PartitionWithFallback, type SubgraphRefusal, type SubgraphVerifier } from './fallback.js';
