// A network back as an IR graph in ONNX semantics, so that any stage of the engine's rewriting can
// run on the CPU framework and be compared with the original model. Formats are ignored: they
// change where values live, never what they are (fp16 storage rounding is not simulated). Each
// layer kind emits itself (layers/<kind>.ts `lower`).
import { Graph, ONNX_DOMAIN } from '../ir/graph.js';
import { Emitter } from './layers/emitter.js';
import { kindOf } from './layers/index.js';
import type { Network } from './network.js';

/** The network as an ONNX-semantics graph over the same input and output names. */
export function lowerNetwork(net: Network): Graph {
  const g = new Graph({ name: 'engine-network', opsets: new Map([[ONNX_DOMAIN, 18]]) });
  // integer inputs come back as int32 (the engine holds them as i32), bool as bool
  g.inputs = net.inputs.map((name) => ({ name, dtype: net.tensors.get(name)!.dtype ?? 'float32', shape: [...net.tensors.get(name)!.shape] }));
  g.outputs = net.outputs.map((name) => ({ name, dtype: net.tensors.get(name)!.dtype ?? 'float32', shape: [...net.tensors.get(name)!.shape] }));
  for (const l of net.layers) kindOf(l).lower(new Emitter(g, net, l), l);
  return g;
}
