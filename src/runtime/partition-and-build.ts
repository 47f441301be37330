// Partition, then build every engine; a build that fails sends its nodes back to the framework and
// the graph is partitioned again, so the engine never fails a run the framework can do. One loop
// for both engine sessions: the CPU engine builds synchronously, the WebGPU engine asynchronously,
// so the loop is a generator that yields each engine node to build and receives its record (or,
// thrown into it, the build's error); `driveSync` and `driveAsync` run it with either kind of build.
import { EngineRefusalError } from '../engine/refusal.js';
import { NnrtError, UsageError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import { partitionWithFallback, type EngineNode, type PartitionResult, type PartitionWithFallback, type SubgraphVerifier } from '../partition/index.js';
import type { PartitionOptions } from '../partition/types.js';

/** What building one engine node gave: its record, or nodes the engine cannot take (a reason each). */
export type NodeBuild<R> = { record: R } | { decline: { nodes: string[]; reason: string; failedAs: string } };

export interface PartitionAndBuildOptions {
  /** The partitioner's options (support predicate, backend, user exclusions). */
  partition: PartitionOptions;
  verify: SubgraphVerifier;
  /** Names the engine in reasons and notices: 'engine', 'cpu engine'. */
  label: string;
  warn?: (line: string) => void;
}

/** A built partition: the partitioner's result (build fallbacks first) and each engine node's record. */
export type BuiltPartition<R> = PartitionWithFallback & { partition: PartitionResult; records: Map<string, R> };

/** One engine node to build: the node, its index among the partition's subgraphs, and the layers the dry build kept in fp32. */
export interface BuildRequest {
  node: EngineNode;
  index: number;
  fp32Layers: Record<string, 'fp32'>;
}

export function* partitionAndBuild<R>(graph: Graph, known: ReadonlyMap<string, KnownValue>, opts: PartitionAndBuildOptions): Generator<BuildRequest, BuiltPartition<R>, NodeBuild<R>> {
  const failed = new Map<string, string>();
  const buildFallbacks: NonNullable<PartitionResult['fallbacks']> = [];
  for (;;) {
    const p = partitionWithFallback(graph, known, { ...opts.partition, fallbackNodes: failed }, opts.verify);
    const records = new Map<string, R>();
    let retry = false;
    for (const [index, node] of p.applied.engineNodes.entries()) {
      try {
        const built = yield { node, index, fp32Layers: p.fp32Layers };
        if ('record' in built) {
          records.set(node.name, built.record);
          continue;
        }
        for (const n of built.decline.nodes) failed.set(n, built.decline.failedAs);
        buildFallbacks.push({ nodes: built.decline.nodes, reason: built.decline.reason, action: 'framework' });
        retry = true;
      } catch (e) {
        if (!(e instanceof NnrtError) || e instanceof UsageError) throw e;
        const members = p.result.subgraphs[index]!.nodes;
        const named = e instanceof EngineRefusalError ? e.refusal.nodes.filter((n) => members.includes(n)) : [];
        const nodes = named.length ? named : members;
        for (const n of nodes) failed.set(n, `the ${opts.label} build failed: ${e.message}`);
        buildFallbacks.push({ nodes, reason: e.message, action: 'framework' });
        opts.warn?.(`${opts.label} build for ${nodes.length} node${nodes.length === 1 ? '' : 's'} failed (${e.message}); they run in the framework`);
        retry = true;
      }
    }
    if (!retry) return { ...p, partition: { ...p.result, fallbacks: [...buildFallbacks, ...(p.result.fallbacks ?? [])] }, records };
  }
}

/** Runs `steps` with a synchronous build: each request's answer, or its error thrown into the generator. */
export function driveSync<Q, A, T>(steps: Generator<Q, T, A>, build: (q: Q) => A): T {
  let step = steps.next(undefined as never);
  while (!step.done) {
    let answer: A;
    try {
      answer = build(step.value);
    } catch (e) {
      step = steps.throw(e);
      continue;
    }
    step = steps.next(answer);
  }
  return step.value;
}

/** As `driveSync`, with an asynchronous build. */
export async function driveAsync<Q, A, T>(steps: Generator<Q, T, A>, build: (q: Q) => Promise<A>): Promise<T> {
  let step = steps.next(undefined as never);
  while (!step.done) {
    let answer: A;
    try {
      answer = await build(step.value);
    } catch (e) {
      step = steps.throw(e);
      continue;
    }
    step = steps.next(answer);
  }
  return step.value;
}
