// nnrt.Engine: one node standing for a subgraph the engine runs. Its attributes record the types
// the subgraph was partitioned (and will be built) for, so the framework can type the node
// without looking inside; the subgraph itself rides on the node as side data (`EngineNode`).
import { ShapeError } from '../errors.js';
import { attr } from '../ir/attr.js';
import { NNRT_DOMAIN, type Graph, type Node } from '../ir/graph.js';
import { inferShapes, type KnownValue, type NodeTyper } from '../ir/infer.js';
import type { TensorType } from '../ops/op.js';
import { defineOp } from '../ops/op.js';
import { findOp, registerOp } from '../ops/registry.js';
import { registerNodeTypeOverride } from '../ops/typer.js';
import { isDType } from '../tensor/dtype.js';

export const ENGINE_OP_TYPE = 'Engine';

/** An nnrt.Engine node with the subgraph it replaces. */
export interface EngineNode extends Node {
  opType: typeof ENGINE_OP_TYPE;
  domain: typeof NNRT_DOMAIN;
  /** The subgraph as its own Graph: its nodes, the constants it uses, typed inputs and outputs. */
  subgraph: Graph;
  /** The id of the partition subgraph it stands for (PartitionSubgraph.id). */
  subgraphId: number;
  /**
   * Partitioned for an optimization profile: each subgraph input's range. The subgraph's inputs
   * then carry symbolic dims, and the node's output types at other shapes come from the subgraph.
   */
  profile?: { name: string; min: number[]; opt: number[]; max: number[] }[];
}

/**
 * Output types of an engine node partitioned for a profile, at the shapes of `inputs`: inference
 * over its subgraph (the recorded attributes hold only the opt shapes). `typer` is the ops' typer.
 */
export function profileEngineOutputs(node: EngineNode, inputs: readonly (KnownValue | undefined)[], typer: NodeTyper): TensorType[] {
  const sub = node.subgraph;
  const shapes = Object.fromEntries(sub.inputs.map((v, i) => [v.name, inputs[i]?.shape ?? []]));
  const known = inferShapes(sub.clone(), typer, shapes);
  return sub.outputs.map((o) => {
    const t = known.get(o.name);
    if (!t) throw new ShapeError(`engine subgraph output '${o.name}' has no inferred type`);
    return { dtype: t.dtype, shape: [...t.shape] };
  });
}

registerNodeTypeOverride((node, inputs, typer) => (isEngineNode(node) && node.profile ? profileEngineOutputs(node, inputs, typer) : undefined));

export function isEngineNode(n: Node): n is EngineNode {
  return n.domain === NNRT_DOMAIN && n.opType === ENGINE_OP_TYPE && 'subgraph' in n;
}

/** Shapes as attribute strings: '1,3,224,224'; '' for a scalar. */
export const encodeShape = (shape: readonly number[]) => shape.join(',');
const decodeShape = (s: string) => (s === '' ? [] : s.split(',').map(Number));

export const EngineOp = defineOp({
  type: ENGINE_OP_TYPE,
  domain: NNRT_DOMAIN,
  attrs: {
    backend: attr.string(),
    /** The subgraph's canonical hash (hashGraph, structure only): a key for engine caches. */
    subgraph_hash: attr.string(),
    node_count: attr.int(),
    input_shapes: attr.strings([]),
    output_dtypes: attr.strings(),
    output_shapes: attr.strings(),
  },
  inputs: [0, Infinity],
  outputs: [0, Infinity], // a cluster whose results nobody reads has none (dead code stays dead)
  infer: (inputs, a, outputCount) => {
    if (inputs.length !== a.input_shapes.length) {
      throw new ShapeError(`the engine subgraph takes ${a.input_shapes.length} inputs, got ${inputs.length}`);
    }
    inputs.forEach((t, i) => {
      const want = a.input_shapes[i]!;
      if (t && encodeShape(t.shape) !== want) {
        throw new ShapeError(`input ${i} has shape [${t.shape.join(',')}]; the engine subgraph was partitioned for [${want}]`, {
          hint: 'partition the graph again for these input shapes',
        });
      }
    });
    if (outputCount !== a.output_dtypes.length || outputCount !== a.output_shapes.length) {
      throw new ShapeError(`the node has ${outputCount} outputs but records ${a.output_dtypes.length} dtypes and ${a.output_shapes.length} shapes`);
    }
    return a.output_dtypes.map((d, k) => {
      if (!isDType(d)) throw new ShapeError(`output ${k} records an unknown dtype '${d}'`);
      return { dtype: d, shape: decodeShape(a.output_shapes[k]!) };
    });
  },
});

// registered once, whichever module loads this first; the executors add kernels for it
if (!findOp(NNRT_DOMAIN, ENGINE_OP_TYPE)) registerOp(EngineOp);
