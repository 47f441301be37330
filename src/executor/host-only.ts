import type { Graph } from '../ir/graph.js';
import { findOp } from '../ops/registry.js';
import { ELEMENT_TYPE } from '../tensor/element-type.js';

/**
 * Why a graph must run on the host even on device 'webgpu', or undefined when it need not:
 * control flow and sequence/optional ops (their output types exist only at run time, while a
 * WebGPU plan is built from static shapes) and string tensors (no device holds them).
 */
export function hostOnlyReason(graph: Graph): string | undefined {
  for (const n of graph.nodes) {
    const def = findOp(n.domain, n.opType);
    if (def?.host) return `${n.opType} node '${n.name}' (control flow, sequences and optionals run on the host)`;
    const to = n.attrs.to;
    if (def?.strings && (n.opType.startsWith('String') || n.opType === 'RegexFullMatch' || (n.opType === 'Cast' && to?.type === 'int' && to.value === ELEMENT_TYPE.STRING))) {
      return `${n.opType} node '${n.name}' works on string tensors, which stay on the host`;
    }
  }
  for (const [name, t] of graph.initializers) if (t.dtype === 'string') return `initializer '${name}' is a string tensor, which stays on the host`;
  for (const v of [...graph.inputs, ...graph.outputs]) {
    if (v.dtype === 'string') return `'${v.name}' is a string tensor, which stays on the host`;
    if (v.kind && v.kind !== 'tensor') return `'${v.name}' is a ${v.kind} value, which stays on the host`;
  }
  return undefined;
}
