// What an importer's translator sees of one IR node: its parsed attributes, the static shapes and
// constant values around it, and a way to decline it with a reason the partition report shows.
import { parseAttrs, type AttrSchema, type AttrsOf } from '../../ir/attr.js';
import type { Node } from '../../ir/graph.js';
import { nodeWhere } from '../../ir/graph.js';
import type { KnownValue } from '../../ir/infer.js';
import type { OpDef } from '../../ops/op.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Layer } from '../network.js';
import { EngineRefusalError } from '../refusal.js';

export interface NodeView {
  node: Node;
  /** The layer name to use (unique in the network). */
  name: string;
  /** The node's attributes parsed against its op's schema (defaults filled in). */
  attrs<S extends AttrSchema>(def: OpDef<S>): AttrsOf<S>;
  shape(value: string): readonly number[];
  dtype(value: string): string;
  /** The value's constant tensor (initializer or inferred), if it is one. */
  constant(value: string): Tensor | undefined;
  /**
   * A tensor of `shape` between two layers the node becomes (no graph value): its unique name,
   * `<output 0>::<suffix>`, whose shape the importer takes from here.
   */
  intermediate(suffix: string, shape: readonly number[]): string;
  fail(reason: string): never;
}

/** One node to one layer (a list for nodes with several outputs: each layer writes one). */
export type Translator = (n: NodeView) => Layer | Layer[];

export function nodeView(
  node: Node, name: string, types: ReadonlyMap<string, KnownValue>, constantOf: (v: string) => Tensor | undefined,
  intermediates: Map<string, readonly number[]> = new Map(),
): NodeView {
  const where = nodeWhere(node);
  return {
    node, name,
    intermediate(suffix, shape) {
      let v = `${node.outputs[0] || name}::${suffix}`;
      while (types.has(v) || intermediates.has(v)) v = `${v}_`;
      intermediates.set(v, [...shape]);
      return v;
    },
    attrs: (def) => parseAttrs(def.attrs, node.attrs, where),
    shape: (v) => types.get(v)!.shape,
    dtype: (v) => types.get(v)!.dtype,
    constant: constantOf,
    fail(reason) {
      throw new EngineRefusalError({ nodes: [node.name], reason: `${node.opType}: ${reason}`, remedy: 'framework' }, { where, hint: 'let the partitioner leave this node to the framework' });
    },
  };
}

/** The name and provenance every layer made from one node carries. */
export const base = (n: NodeView) => ({ name: n.name, from: [n.node.name || n.name] });
/** Input 0 → output 0. */
export const io = (n: NodeView) => ({ input: n.node.inputs[0]!, output: n.node.outputs[0]! });

export const floats = (t: Tensor): Float32Array => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.numeric()));
