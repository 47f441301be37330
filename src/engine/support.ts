// What the webgpu engine can compile, node by node: the predicate the partitioner uses to cut the
// graph and the importer uses to refuse nodes, so both give the same reasons. float32 only, every
// shape static. Each op's rule lives with its layer kind (layers/<kind>.ts, collected in
// layers/index.ts OP_IMPORTERS).
import type { Graph, Node } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import { byTable, type SupportContext, type SupportPredicate } from '../partition/predicate.js';
import { OP_IMPORTERS } from './layers/index.js';

export { pointwiseBroadcastOk } from './layers/broadcast.js';

export const ENGINE_BACKEND = 'webgpu';

const TABLE: Record<string, SupportPredicate> = Object.fromEntries(Object.entries(OP_IMPORTERS).map(([op, i]) => [op, i.support]));

/** The webgpu engine's support predicate, for the partitioner. */
export const ENGINE_SUPPORT: SupportPredicate = byTable(ENGINE_BACKEND, TABLE);

/**
 * The cpu engine's predicate: the same table (every layer the importer makes has a CPU executor,
 * the lowered one at least), its reasons naming the cpu engine.
 */
export const CPU_ENGINE_BACKEND = 'cpu';
export const CPU_ENGINE_SUPPORT: SupportPredicate = byTable(CPU_ENGINE_BACKEND, TABLE);

/** The op types the engine's table lists (each still subject to its constraints). */
export const ENGINE_OPS: readonly string[] = Object.keys(TABLE).sort();

/** `true` when the webgpu engine can compile `node`, else the reason it cannot. */
export function engineSupports(node: Node, types: ReadonlyMap<string, KnownValue>, graph: Graph): true | string {
  const ctx: SupportContext = { graph, types };
  return ENGINE_SUPPORT(node, ctx);
}
