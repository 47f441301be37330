// The op registry (tfjs-style, keyed by op and backend), with one registration point:
// `registerOp(def, { cpu, webgpu })`. Binding a node parses its attributes once against the op's
// schema and closes the shape function and kernels over them, so callers never see the
// attribute types and need no casts.
import { RegistrationError, UnsupportedError } from '../errors.js';
import { parseAttrs, type AttrSchema, type Attrs } from '../ir/attr.js';
import type { Node } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import type { DeviceCaps } from '../devices/webgpu/caps.js';
import type { GpuKernel, GpuLaunch } from '../devices/webgpu/program.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Value } from '../tensor/value.js';
import type { CpuKernel, HostContext, HostKernel, InferInput, OpDef, TensorType } from './op.js';

/** Devices that kernels are registered for. */
export type Backend = 'cpu' | 'webgpu';

/** The kernels of one op, typed by its attribute schema. */
export interface OpKernels<S extends AttrSchema = AttrSchema> {
  cpu?: CpuKernel<S>;
  webgpu?: GpuKernel<S>;
  /** The kernel of a host op (def.host: sequences, optionals, control flow), run on the host on every device. */
  host?: HostKernel<S>;
}

/** What callers may read of an op's definition without knowing its attribute types. */
export type OpInfo = Omit<OpDef, 'infer'>;

/** An op with a node's attributes parsed: its shape function and kernels, ready to call. */
export interface BoundOp {
  readonly attrs: Readonly<Record<string, unknown>>;
  infer(inputs: readonly (InferInput | undefined)[], outputCount: number): TensorType[];
  readonly cpu?: (inputs: readonly (Tensor | undefined)[], outputs: readonly TensorType[]) => Tensor[];
  /** The fast CPU kernel (src/cpu/, WebAssembly SIMD) where one is registered; it falls back to `cpu`. */
  readonly cpuFast?: (inputs: readonly (Tensor | undefined)[], outputs: readonly TensorType[]) => Tensor[];
  readonly webgpu?: (inputs: readonly (InferInput | undefined)[], outputs: readonly TensorType[], caps: DeviceCaps) => GpuLaunch | string;
  readonly host?: (inputs: readonly (Value | undefined)[], ctx: HostContext) => Value[];
}

/** A CPU kernel bound to a node's attributes. */
export type BoundCpuKernel = NonNullable<BoundOp['cpu']>;
/** A host op's kernel bound to a node's attributes. */
export type BoundHostKernel = NonNullable<BoundOp['host']>;

interface Entry {
  info: OpInfo;
  backends: ReadonlySet<Backend>;
  bind(raw: Attrs, where: string): BoundOp;
}

const entries = new Map<string, Entry>();
const fastKernels = new Map<string, FastCpuKernel<AttrSchema>>();

/**
 * A fast CPU kernel (src/cpu/): it handles the cases it was written for and returns undefined for
 * the others, for which the op's reference kernel runs.
 */
export type FastCpuKernel<S extends AttrSchema = AttrSchema> = (...args: Parameters<CpuKernel<S>>) => Tensor[] | undefined;

/**
 * Adds a fast CPU kernel to an op (session option cpuKernels 'fast'). It is used only where the op
 * also has a reference CPU kernel, which may be registered before or after it.
 */
export function registerFastCpuKernel<S extends AttrSchema>(def: OpDef<S>, kernel: FastCpuKernel<S>): void {
  const k = key(def.domain, def.type);
  if (fastKernels.has(k)) throw new RegistrationError(`op '${def.type}' has a fast CPU kernel already`, { hint: 'register one fast kernel per op' });
  fastKernels.set(k, kernel as unknown as FastCpuKernel<AttrSchema>);
}

const key = (domain: string, type: string) => `${domain}::${type}`;

/** Registers an op and its kernels; a second registration of the same (domain, type) is refused. */
export function registerOp<S extends AttrSchema>(def: OpDef<S>, kernels: OpKernels<S> = {}): void {
  const k = key(def.domain, def.type);
  if (entries.has(k)) {
    throw new RegistrationError(`op '${def.type}' in domain '${def.domain || 'ai.onnx'}' is registered twice`, {
      hint: 'give every kernel of an op in its one registerOp(def, { cpu, webgpu }) call',
    });
  }
  const { cpu, webgpu, host } = kernels;
  if (!host !== !def.host) {
    throw new RegistrationError(`op '${def.type}' ${def.host ? 'is a host op and needs' : 'is not a host op and cannot have'} a host kernel`, {
      hint: 'a host op (def.host) registers { host } only; other ops register { cpu, webgpu }',
    });
  }
  entries.set(k, {
    info: def,
    // a host kernel serves the CPU (and runs on the host inside a WebGPU session)
    backends: new Set<Backend>([...(cpu || host ? ['cpu' as const] : []), ...(webgpu ? ['webgpu' as const] : [])]),
    bind(raw, where) {
      const attrs = parseAttrs(def.attrs, raw, where);
      return {
        attrs,
        infer: (inputs, outputCount) => def.infer(inputs, attrs, outputCount),
        ...(cpu ? { cpu: (inputs: readonly (Tensor | undefined)[], outputs: readonly TensorType[]) => cpu(inputs, attrs, outputs) } : {}),
        ...(cpu && fastKernels.has(k) ? {
          cpuFast: (inputs: readonly (Tensor | undefined)[], outputs: readonly TensorType[]) =>
            fastKernels.get(k)!(inputs, attrs, outputs) ?? cpu(inputs, attrs, outputs),
        } : {}),
        ...(host ? { host: (inputs: readonly (Value | undefined)[], ctx: HostContext) => host(inputs, attrs, ctx) } : {}),
        ...(webgpu ? {
          webgpu: (inputs: readonly (InferInput | undefined)[], outputs: readonly TensorType[], caps: DeviceCaps) => webgpu(inputs, attrs, outputs, caps),
        } : {}),
      };
    },
  });
}

/** Registers a host op (sequences, optionals, control flow): its kernel runs on the host on every device. */
export function registerHostOp<S extends AttrSchema>(def: OpDef<S>, kernel: HostKernel<S>): void {
  registerOp(def, { host: kernel });
}

/** True when `backend` has a kernel for the op. */
export function hasKernel(backend: Backend, domain: string, type: string): boolean {
  return entries.get(key(domain, type))?.backends.has(backend) ?? false;
}

export function findOp(domain: string, type: string): OpInfo | undefined {
  return entries.get(key(domain, type))?.info;
}

const refusals = new Map<string, { why: string; hint: string }>();

/**
 * Names an op nnrt knowingly does not run (ai.onnx.ml's map ops, for one), so that a model using
 * it fails with the reason and a way out instead of "unknown op".
 */
export function registerRefusal(domain: string, type: string, why: string, hint: string): void {
  refusals.set(key(domain, type), { why, hint });
}

/** The registry entry of a node's op, or an UnsupportedError naming node, op, domain and what is supported. */
function entryOf(node: Node, opset?: number): Entry {
  const entry = entries.get(key(node.domain, node.opType));
  const refused = entry ? undefined : refusals.get(key(node.domain, node.opType));
  if (refused) {
    throw new UnsupportedError(`op '${node.opType}' in domain '${node.domain || 'ai.onnx'}' is not supported: ${refused.why}`, { where: nodeWhere(node), hint: refused.hint });
  }
  if (!entry) {
    const names = listOps(node.domain);
    throw new UnsupportedError(
      `unknown op '${node.opType}' in domain '${node.domain || 'ai.onnx'}'${opset !== undefined ? ` (opset ${opset})` : ''}`,
      { where: nodeWhere(node), hint: `supported ops${node.domain ? ` in '${node.domain}'` : ''}: ${names.join(', ') || 'none'}` },
    );
  }
  return entry;
}

/** The op of a node, or an UnsupportedError naming node, op, domain and what is supported. */
export function opOf(node: Node, opset?: number): OpInfo {
  return entryOf(node, opset).info;
}

/** The node's op bound to its parsed attributes (errors name the node and attribute). */
export function bindOp(node: Node, opset?: number): { info: OpInfo; op: BoundOp } {
  const entry = entryOf(node, opset);
  return { info: entry.info, op: entry.bind(node.attrs, nodeWhere(node)) };
}

export function listOps(domain = ''): string[] {
  return [...entries.values()].filter((e) => e.info.domain === domain).map((e) => e.info.type).sort();
}
