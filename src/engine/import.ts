// The engine's importer (TensorRT's ONNX parser): an IR graph at fixed input shapes becomes a
// Network of layers. Constant subexpressions are folded first (GRAPH_PIPELINE); every remaining
// node must pass the engine's support predicate (the partitioner's, so the reasons match) and
// becomes one layer. Formats are PLAIN_F32 here (PLAIN_I32 for integer and bool tensors, which
// keep it); the layout and precision passes decide them. Inputs may be float32, int64, int32 or
// bool (integers are narrowed to i32 at the engine's edge), and so may outputs.
// Each op's translator lives with its layer kind (layers/<kind>.ts).
import { EngineRefusalError } from './refusal.js';
import type { Graph } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import { inferShapes } from '../ir/infer.js';
import { topoSort } from '../ir/topo.js';
import { opTyper } from '../ops/typer.js';
import { OP_IMPORTERS } from './layers/index.js';
import { nodeView } from './layers/node-view.js';
import { netDTypeOf, PLAIN_F32, PLAIN_I32, type NetTensor, type Network } from './network.js';
import { GRAPH_PIPELINE } from './passes/pipeline.js';
import { engineSupports } from './support.js';

export interface ImportOptions {
  /** Receives the graph passes' changes ("fold-constants: folded Identity_0 ..."). */
  log?: (line: string) => void;
}

/**
 * A network tensor of an IR value: int64/int32 and bool in i32 storage, everything else float
 * (quantized int8/uint8 values travel as floats holding the integers: the int8 layers' convention).
 */
function netTensor(name: string, shape: readonly number[], irDtype: string): NetTensor {
  const dtype = netDTypeOf(irDtype) ?? 'float32';
  return dtype === 'float32' ? { name, shape: [...shape], format: { ...PLAIN_F32 } } : { name, shape: [...shape], format: { ...PLAIN_I32 }, dtype };
}

/** Builds the engine network for `graph` with the given input shapes; throws UnsupportedError. */
export function importNetwork(graph: Graph, inputShapes: Record<string, number[]>, opts: ImportOptions = {}): Network {
  let g = graph;
  for (const pass of GRAPH_PIPELINE) g = pass.run(g, { change: (line) => opts.log?.(`${pass.name}: ${line}`) });
  const types = inferShapes(g, opTyper, inputShapes);
  const constantOf = (v: string) => g.initializers.get(v) ?? types.get(v)?.value;
  const net: Network = { tensors: new Map(), layers: [], inputs: [], outputs: [] };
  for (const v of g.inputs) {
    if (g.initializers.has(v.name)) continue;
    if (!netDTypeOf(v.dtype)) {
      const readers = g.nodes.filter((n) => n.inputs.includes(v.name)).map((n) => n.name);
      throw new EngineRefusalError({ nodes: readers, reason: `input '${v.name}' is ${v.dtype}; the engine takes float32, int64, int32 and bool only`, remedy: 'framework' });
    }
    net.inputs.push(v.name);
    net.tensors.set(v.name, netTensor(v.name, types.get(v.name)!.shape, v.dtype));
  }
  const names = new Set<string>();
  const intermediates = new Map<string, readonly number[]>();
  for (const [i, node] of topoSort(g).entries()) {
    // Values inference already computed (Shape → Gather chains) are constants, not layers.
    if (node.outputs.every((o) => !o || types.get(o)?.value)) continue;
    const verdict = engineSupports(node, types, g);
    if (verdict !== true) throw new EngineRefusalError({ nodes: [node.name], reason: verdict, remedy: 'framework' }, { where: nodeWhere(node), hint: 'let the partitioner leave this node to the framework' });
    let name = node.name || `${node.opType}_${i}`;
    while (names.has(name)) name = `${name}_`;
    names.add(name);
    const view = nodeView(node, name, types, constantOf, intermediates);
    const importer = OP_IMPORTERS[node.opType];
    if (!importer) view.fail(`op ${node.opType} has no engine layer`);
    const made = importer.translate(view);
    for (const layer of Array.isArray(made) ? made : [made]) {
      net.layers.push(layer);
      const t = types.get(layer.output);
      net.tensors.set(layer.output, netTensor(layer.output, t?.shape ?? intermediates.get(layer.output)!, t?.dtype ?? 'float32'));
    }
  }
  for (const o of g.outputs) {
    if (!net.tensors.has(o.name)) {
      // folded by fold-constants (all its inputs are constants): the node that made it goes back
      const maker = graph.nodes.find((n) => n.outputs.includes(o.name));
      throw new EngineRefusalError({
        nodes: maker ? [maker.name] : [], remedy: 'framework',
        reason: `output '${o.name}' is a constant; the engine computes tensors from its inputs only`,
      }, { hint: 'run it in the framework' });
    }
    const dtype = types.get(o.name)?.dtype;
    if (!dtype || !netDTypeOf(dtype)) {
      // quantized tensors live in the engine as floats holding the integers; outputs are float32, int64/int32 or bool
      const maker = g.nodes.find((n) => n.outputs.includes(o.name));
      throw new EngineRefusalError({ nodes: maker ? [maker.name] : [], remedy: 'framework', reason: `output '${o.name}' is ${dtype}; the engine's outputs are float32, int64, int32 or bool` }, { hint: 'let the partitioner leave this node to the framework' });
    }
    net.outputs.push(o.name);
  }
  return net;
}
