import type { Graph } from '../ir/graph.js';
import { findOp } from '../ops/registry.js';
import { ELEMENT_TYPE } from '../tensor/element-type.js';

/**
 * Why a graph must run wholly on the host even on device 'webgpu', or undefined when it need not:
 * string tensors (no device holds them). Control flow, sequences and optionals run as host steps
 * inside a GPU run (host-steps.ts), the graph's tensor nodes on the device.
 */
export function hostOnlyReason(graph: Graph): string | undefined {
  for (const n of graph.nodes) {
    const def = findOp(n.domain, n.opType);
    const to = n.attrs.to;
    if (def?.strings && (n.opType.startsWith('String') || n.opType === 'RegexFullMatch' || (n.opType === 'Cast' && to?.type === 'int' && to.value === ELEMENT_TYPE.STRING))) {
      return `${n.opType} node '${n.name}' works on string tensors, which stay on the host`;
    }
  }
  for (const [name, t] of graph.initializers) if (t.dtype === 'string') return `initializer '${name}' is a string tensor, which stays on the host`;
  for (const v of [...graph.inputs, ...graph.outputs]) {
    if (v.dtype === 'string') return `'${v.name}' is a string tensor, which stays on the host`;
  }
  return undefined;
}

/** Why the optimizing engine keeps out of a graph: strings, or control flow, sequences and optionals. */
export function engineExclusionReason(graph: Graph): string | undefined {
  const host = graph.nodes.find((n) => findOp(n.domain, n.opType)?.host);
  if (host) return `${host.opType} node '${host.name}' (control flow, sequences and optionals)`;
  return hostOnlyReason(graph) ?? ([...graph.inputs, ...graph.outputs].find((v) => v.kind && v.kind !== 'tensor') ? 'sequence or optional inputs or outputs' : undefined);
}
