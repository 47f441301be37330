// Which graph inputs decide shapes inside the graph (a Reshape's shape, a Slice's starts): their
// values, not only their shapes, key a schedule or plan, so a device tensor fed there is read back.
import type { Graph } from '../ir/graph.js';
import type { BoundNode } from '../ops/typer.js';

const SHAPE_ONLY_OPS = new Set(['Shape', 'Size']);

/** Graph inputs from which a value-deciding input (Reshape's shape, Slice's starts...) is computed. */
export function shapeDecidingInputs(graph: Graph, order: BoundNode[]): Set<string> {
  const producers = graph.producers();
  const inputs = new Set(graph.inputs.filter((v) => !graph.initializers.has(v.name)).map((v) => v.name));
  const found = new Set<string>();
  const seen = new Set<string>();
  // data-dependent ops are run between stages, not by fixing the feeds they read
  const stack = order.filter((b) => !b.def.dataDependentShape).flatMap((b) => (b.def.valueInputs ?? []).map((i) => b.node.inputs[i]).filter((n): n is string => !!n));
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (inputs.has(name)) found.add(name);
    const producer = producers.get(name);
    // Shape and Size read only their input's shape, which the plan's key already fixes: stop there
    if (producer && SHAPE_ONLY_OPS.has(producer.opType) && !producer.domain) continue;
    for (const i of producer?.inputs ?? []) if (i) stack.push(i);
  }
  return found;
}
