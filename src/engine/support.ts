// What the webgpu engine can compile, node by node: the predicate the partitioner uses to cut the
// graph and the importer uses to refuse nodes, so both give the same reasons. float32 only, every
// shape static. Each op's rule lives with its layer kind (layers/<kind>.ts, collected in
// layers/index.ts OP_IMPORTERS).
import type { Graph, Node } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import { byTable, constantOf, type SupportContext, type SupportPredicate } from '../partition/predicate.js';
import { OP_IMPORTERS } from './layers/index.js';

export { pointwiseBroadcastOk } from './layers/broadcast.js';

export const ENGINE_BACKEND = 'webgpu';

const TABLE: Record<string, SupportPredicate> = Object.fromEntries(Object.entries(OP_IMPORTERS).map(([op, i]) => [op, i.support]));

/** The webgpu engine's support predicate, for the partitioner. */
export const ENGINE_SUPPORT: SupportPredicate = byTable(ENGINE_BACKEND, TABLE);

/**
 * The cpu engine's predicate: the same table (every layer the importer makes has a CPU executor,
 * the lowered one at least), its reasons naming the cpu engine, and float32 tensors only: integer
 * and bool values (computed indices, masks) stay in the framework, whose CPU kernels hold them
 * natively. Constant operands of any type (shapes, axes) are fine: the importer folds them.
 */
export const CPU_ENGINE_BACKEND = 'cpu';
const CPU_TABLE = byTable(CPU_ENGINE_BACKEND, TABLE);
export const CPU_ENGINE_SUPPORT: SupportPredicate = (node, ctx) => {
  const notFloat = [...node.inputs.filter((v) => v && !constantOf(v, ctx)), ...node.outputs.filter((v) => v)]
    .find((v) => { const t = ctx.types.get(v); return t !== undefined && t.dtype !== 'float32'; });
  if (notFloat) return `${node.opType}: '${notFloat}' is ${ctx.types.get(notFloat)!.dtype}; the cpu engine computes float32 tensors only`;
  return CPU_TABLE(node, ctx);
};

/** The op types the engine's table lists (each still subject to its constraints). */
export const ENGINE_OPS: readonly string[] = Object.keys(TABLE).sort();

/** `true` when the webgpu engine can compile `node`, else the reason it cannot. */
export function engineSupports(node: Node, types: ReadonlyMap<string, KnownValue>, graph: Graph): true | string {
  const ctx: SupportContext = { graph, types };
  return ENGINE_SUPPORT(node, ctx);
}
