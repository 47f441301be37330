import { UnsupportedError } from '../errors.js';
import type { AttrSchema } from '../ir/attr.js';
import type { Node } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import type { CpuKernel, HostKernel, OpDef } from './op.js';

/** Devices that kernels are registered for (tfjs-style registry keyed by (op, backend)). */
export type Backend = 'cpu' | 'webgpu';

const defs = new Map<string, OpDef>();
const kernels = new Map<string, unknown>();

const key = (domain: string, type: string) => `${domain}::${type}`;

export function registerOp<S extends AttrSchema>(def: OpDef<S>, impl: { cpu?: CpuKernel<S> } = {}): void {
  const k = key(def.domain, def.type);
  if (defs.has(k)) throw new Error(`op ${def.type} registered twice`);
  defs.set(k, def as unknown as OpDef);
  if (impl.cpu) registerKernel('cpu', def.domain, def.type, impl.cpu);
}

/** Registers a host op (sequences, optionals, control flow): its kernel runs on the host on every device. */
export function registerHostOp<S extends AttrSchema>(def: OpDef<S>, kernel: HostKernel<S>): void {
  if (!def.host) throw new Error(`op ${def.type} is not declared as a host op`);
  registerOp(def);
  registerKernel('cpu', def.domain, def.type, kernel);
}

export function registerKernel(backend: Backend, domain: string, type: string, kernel: unknown): void {
  kernels.set(`${backend}:${key(domain, type)}`, kernel);
}

export function getKernel<K>(backend: Backend, domain: string, type: string): K | undefined {
  return kernels.get(`${backend}:${key(domain, type)}`) as K | undefined;
}

export function findOp(domain: string, type: string): OpDef | undefined {
  return defs.get(key(domain, type));
}

/** The op of a node, or an UnsupportedError naming node, op, domain and what is supported. */
export function opOf(node: Node, opset?: number): OpDef {
  const def = findOp(node.domain, node.opType);
  if (!def) {
    const names = listOps(node.domain);
    throw new UnsupportedError(
      `unknown op '${node.opType}' in domain '${node.domain || 'ai.onnx'}'${opset !== undefined ? ` (opset ${opset})` : ''}`,
      { where: nodeWhere(node), hint: `supported ops${node.domain ? ` in '${node.domain}'` : ''}: ${names.join(', ') || 'none'}` },
    );
  }
  return def;
}

export function listOps(domain = ''): string[] {
  return [...defs.values()].filter((d) => d.domain === domain).map((d) => d.type).sort();
}
