// An fp16 model (float16 weights and activations, as onnxconverter-common's float16 conversion or
// a `.half()` export writes it) rewritten to compute in float32, for the engines, which take
// float32 tensors: without this such a model ran entirely in the framework. The weights widen to
// float32 (exactly), Casts to float16 become Casts to float32, float16 constants in attributes
// widen, and the graph's float16 inputs and outputs keep their type through a Cast at each
// boundary, so callers feed and read what the model declares. Results differ from computing in
// float16 only by the roundings float32 avoids; the webgpu engine then stores in fp16 again by
// default (session.ts). Graphs with subgraphs (If/Loop/Scan) are left as they are: the engines do
// not take control flow.
import type { AttrValue } from './attr.js';
import { Graph, ONNX_DOMAIN, type Node } from './graph.js';
import { Tensor } from '../tensor/tensor.js';

/** ONNX TensorProto element types. */
const FLOAT = 1;
const FLOAT16 = 10;

function widen(t: Tensor): Tensor {
  return t.dtype === 'float16' ? new Tensor('float32', [...t.shape], Float32Array.from(t.numeric() as ArrayLike<number>)) : t;
}

const isFloat16Attr = (a: AttrValue | undefined) => a?.type === 'int' && a.value === FLOAT16;

/** Whether the graph computes anything in float16 (weights, inputs, outputs, casts or constants). */
export function usesFloat16(graph: Graph): boolean {
  return [...graph.initializers.values()].some((t) => t.dtype === 'float16')
    || graph.inputs.some((v) => v.dtype === 'float16') || graph.outputs.some((v) => v.dtype === 'float16')
    || graph.nodes.some((n) => isFloat16Attr(n.attrs.to) || isFloat16Attr(n.attrs.dtype) || Object.values(n.attrs).some((a) => a.type === 'tensor' && a.value.dtype === 'float16'));
}

/** A float32 copy of `graph` with float16 boundaries, or undefined where there is no float16 or there are subgraphs. */
export function widenFloat16(graph: Graph): Graph | undefined {
  if (!usesFloat16(graph)) return undefined;
  if (graph.nodes.some((n) => Object.values(n.attrs).some((a) => a.type === 'graph' || a.type === 'graphs'))) return undefined;
  const g = graph.clone();
  for (const [name, t] of g.initializers) g.initializers.set(name, widen(t));
  for (const n of g.nodes) {
    for (const [k, a] of Object.entries(n.attrs)) {
      if (a.type === 'tensor' && a.value.dtype === 'float16') n.attrs[k] = { type: 'tensor', value: widen(a.value) };
    }
    // Cast(to), EyeLike/Random*(dtype): float16 results are float32 ones now
    if (n.domain === ONNX_DOMAIN && isFloat16Attr(n.attrs.to)) n.attrs.to = { type: 'int', value: FLOAT };
    if (n.domain === ONNX_DOMAIN && isFloat16Attr(n.attrs.dtype)) n.attrs.dtype = { type: 'int', value: FLOAT };
  }
  const taken = new Set([...g.nodes.flatMap((n) => [...n.inputs, ...n.outputs]), ...g.initializers.keys(), ...g.inputs.map((v) => v.name)]);
  const fresh = (base: string) => {
    let name = `${base}_f32`;
    for (let k = 2; taken.has(name); k++) name = `${base}_f32_${k}`;
    taken.add(name);
    return name;
  };
  const rename = (from: string, to: string, nodes: readonly Node[]) => {
    for (const n of nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  };
  const head: Node[] = [];
  for (const v of g.inputs) {
    if (v.dtype !== 'float16' || g.initializers.has(v.name)) continue;
    const wide = fresh(v.name);
    rename(v.name, wide, g.nodes);
    head.push({ name: fresh(`${v.name}_widen`), opType: 'Cast', domain: ONNX_DOMAIN, inputs: [v.name], outputs: [wide], attrs: { to: { type: 'int', value: FLOAT } } });
  }
  const tail: Node[] = [];
  for (const o of g.outputs) {
    if (o.dtype !== 'float16') continue;
    const wide = fresh(o.name);
    const producer = g.nodes.find((n) => n.outputs.includes(o.name));
    if (producer) producer.outputs = producer.outputs.map((x) => (x === o.name ? wide : x));
    else continue; // an input or initializer handed straight out keeps its value
    rename(o.name, wide, g.nodes);
    tail.push({ name: fresh(`${o.name}_narrow`), opType: 'Cast', domain: ONNX_DOMAIN, inputs: [wide], outputs: [o.name], attrs: { to: { type: 'int', value: FLOAT16 } } });
  }
  g.nodes = [...head, ...g.nodes, ...tail];
  // intermediate types are inferred again
  for (const [name, v] of g.valueInfo) if (v.dtype === 'float16') g.valueInfo.delete(name);
  return g;
}
