/// <reference types="@webgpu/types" />
// A schedule is one static-shape forward pass prepared for replay: every node bound to a WGSL kernel
// (pipelines and bind groups made, uniforms written) or to its CPU kernel with the transfers it
// needs; device buffers assigned by liveness from the pool. Runs with the same input shapes reuse it.
import { DeviceError, ExecutionError, NnrtError, UnsupportedError } from '../errors.js';
import type { Graph, Node } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import { inferShapes, type KnownValue } from '../ir/infer.js';
import { ScheduleBuffers, sizeClass } from '../devices/webgpu/buffer-pool.js';
import { checkBufferSize, oversizedBinding, type BindingRequest } from '../devices/webgpu/buffer-limits.js';
import { assertWithinBudget } from './memory-budget.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { DEVICE_BYTES_PER_ELEMENT, firstOutOfDeviceRange, toDeviceData } from '../devices/webgpu/dtype.js';
import { deviceCaps } from '../devices/webgpu/caps.js';
import type { BufferRef, GpuKernel, GpuLaunch, Program } from '../devices/webgpu/program.js';
import type { TensorType } from '../ops/op.js';
import type { BoundCpuKernel } from '../ops/registry.js';
import { inferNode, opTyper, type BoundNode } from '../ops/typer.js';
import { BYTES_PER_ELEMENT, type DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementCount } from '../tensor/shape.js';

export interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/** A device-resident value copied between host and device around a CPU step. */
export interface Transfer {
  name: string;
  dtype: DType;
  shape: number[];
  buffer: GPUBuffer;
  /** device → host: the MAP_READ buffer it is copied through. */
  staging?: GPUBuffer;
}

/**
 * A subgraph handed to an optimizing engine (an nnrt::Engine node). The executor records it into
 * its own command encoder between compute passes; its inputs and outputs are device buffers, so
 * crossing the boundary costs device-to-device copies only.
 */
export interface EngineStep {
  /**
   * Records the engine's work: copies `inputs` in, dispatches, copies results to `outputs`. With
   * `range`, only dispatches [from, to): the copies in go with the first, the copies out with the last.
   */
  encode(encoder: GPUCommandEncoder, inputs: Record<string, GPUBuffer>, outputs: GPUBuffer[], range?: readonly [number, number]): void;
  /** How many dispatches a whole encode records. */
  readonly dispatchCount: number;
  /** Device-to-device copies the last encode made. */
  readonly deviceCopies: number;
}

/** Makes the engine step of an nnrt::Engine node for the given input shapes (built or loaded once per shape). */
export type EngineProvider = (node: Node, inputShapes: Record<string, number[]>) => Promise<EngineStep>;

export type ScheduleStep =
  | { kind: 'gpu'; node: Node; dispatches: Dispatch[] }
  | { kind: 'engine'; node: Node; engine: EngineStep; inputs: Record<string, GPUBuffer>; outputs: GPUBuffer[] }
  | { kind: 'cpu'; node: Node; bound: BoundNode; kernel: BoundCpuKernel; outputs: TensorType[]; reads: Transfer[]; writes: Transfer[] };

export interface GpuSchedule {
  steps: ScheduleStep[];
  /** Graph inputs that GPU steps read: written to their buffers at the start of each run. */
  uploads: Transfer[];
  /** Graph outputs, in order: read back from the device (when `device` is set) or taken from the host. */
  outputs: { name: string; device?: Transfer }[];
  /** Host values known when planning: folded constants and the feeds that decide shapes. */
  constants: Map<string, Tensor>;
  /** Nodes that run on the CPU, with the reason. */
  fallbacks: { node: string; op: string; reason: string }[];
  peakBytes: number;
  /** Buffers this schedule owns outright (uniforms, staging, planned constants). */
  owned: GPUBuffer[];
  /** The pooled buffers of its values. */
  buffers: ScheduleBuffers;
}

interface Slot { buffer: GPUBuffer; refs: number }

const byteSize = (shape: readonly number[]) => Math.max(DEVICE_BYTES_PER_ELEMENT, elementCount(shape) * DEVICE_BYTES_PER_ELEMENT);

/** Why a GPU kernel's launch cannot run: a bound constant with int64 values outside the device's i32 range. */
function deviceRangeProblem(result: GpuLaunch, inputs: readonly string[], constant: (name: string) => Tensor | undefined): string | undefined {
  const read = 'alias' in result ? [result.alias] : result.programs.flatMap((p) => p.bindings.flatMap((r) => ('input' in r ? [r.input] : [])));
  for (const i of read) {
    const t = inputs[i] ? constant(inputs[i]!) : undefined;
    const at = t ? firstOutOfDeviceRange(t) : -1;
    if (at >= 0) return `constant '${inputs[i]}' holds int64 values outside the device's 32-bit range (index ${at})`;
  }
  const blocks = 'programs' in result ? result.constants ?? [] : [];
  for (const [j, t] of blocks.entries()) {
    const at = firstOutOfDeviceRange(t);
    if (at >= 0) return `block ${j} of a constant holds int64 values outside the device's 32-bit range (index ${at})`;
  }
  return undefined;
}

/** The buffers a launch binds (an alias: the value it forwards, which needs a device buffer too). */
function bindingsOf(result: GpuLaunch, node: Node, outs: readonly TensorType[], typeOf: (name: string) => KnownValue): BindingRequest[] {
  if ('alias' in result) {
    const name = node.inputs[result.alias]!;
    return [{ name, bytes: byteSize(typeOf(name).shape) }];
  }
  return result.programs.flatMap((p) => p.bindings.map((r): BindingRequest => {
    if ('output' in r) return { name: node.outputs[r.output] || `output ${r.output}`, bytes: byteSize(outs[r.output]!.shape) };
    if ('scratch' in r) return { name: `scratch buffer ${r.scratch}`, bytes: Math.max(DEVICE_BYTES_PER_ELEMENT, (result.scratch?.[r.scratch] ?? 1) * DEVICE_BYTES_PER_ELEMENT) };
    if ('constant' in r) return { name: `constant block ${r.constant}`, bytes: byteSize(result.constants?.[r.constant]?.shape ?? []) };
    const name = node.inputs[r.input]!;
    return { name, bytes: byteSize(typeOf(name).shape) };
  }));
}

/** Builds a schedule for `graph` with the given input shapes; `fixed` are feeds whose values decide shapes. */
export async function buildGpuSchedule(
  gpu: GpuDevice, graph: Graph, order: BoundNode[], shapes: Record<string, readonly number[]>,
  fixed: Map<string, Tensor>, constantBuffers: Map<string, GPUBuffer>, engines?: EngineProvider, memoryBudget = Infinity,
): Promise<GpuSchedule> {
  const g = graph.clone();
  for (const [name, t] of fixed) g.initializers.set(name, t);
  const known = inferShapes(g, opTyper, shapes);
  const device = gpu.device;
  const caps = deviceCaps(gpu);
  const schedule: GpuSchedule = { steps: [], uploads: [], outputs: [], constants: new Map(), fallbacks: [], peakBytes: 0, owned: [], buffers: new ScheduleBuffers(gpu.pool) };
  const isGraphInput = new Set(graph.inputs.filter((v) => !graph.initializers.has(v.name) && !fixed.has(v.name)).map((v) => v.name));
  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const typeOf = (name: string): KnownValue => known.get(name)!;
  const constant = (name: string) => g.initializers.get(name) ?? known.get(name)?.value;

  // Decide where each node runs before assigning memory: lifetimes depend on it.
  type Choice = { b: BoundNode; outs: TensorType[]; gpu?: ReturnType<GpuKernel> & object; engine?: boolean };
  const choices: Choice[] = [];
  for (const b of order) {
    const live = b.node.outputs.filter((o) => o && !known.get(o)?.value);
    if (live.length === 0) {
      for (const o of b.node.outputs) if (o) schedule.constants.set(o, known.get(o)!.value!);
      continue;
    }
    const ins = b.node.inputs.map((n) => (n ? { ...typeOf(n), ...(constant(n) ? { value: constant(n)! } : {}) } : undefined));
    // an omitted optional output ('') has no known type: the op's shape function gives it
    const inferred = b.node.outputs.some((o) => !o) ? inferNode(b, ins) : undefined;
    const outs = b.node.outputs.map((o, k) => (o ? { dtype: typeOf(o).dtype, shape: [...typeOf(o).shape] } : inferred![k]!));
    if (engines && b.node.domain === 'nnrt' && b.node.opType === 'Engine') {
      choices.push({ b, outs, engine: true });
      continue;
    }
    const kernel = b.op.webgpu;
    let result: ReturnType<GpuKernel>;
    try {
      result = kernel ? kernel(ins, outs, caps) : 'no WGSL kernel';
    } catch (e) {
      if (e instanceof NnrtError && e.where) throw e;
      const Ctor = e instanceof NnrtError ? (e.constructor as typeof NnrtError) : ExecutionError;
      throw new Ctor(`the WebGPU kernel failed to schedule: ${(e as Error).message}`, { where: nodeWhere(b.node), cause: e });
    }
    // a constant the kernel would read that holds int64 values past i32 keeps the node on the CPU
    if (typeof result !== 'string') result = deviceRangeProblem(result, b.node.inputs, constant) ?? result;
    // a binding past the device's storage binding size (a huge weight) keeps the node on the CPU
    if (typeof result !== 'string') result = oversizedBinding(bindingsOf(result, b.node, outs, typeOf), gpu.limits) ?? result;
    if (typeof result === 'string') {
      schedule.fallbacks.push({ node: b.node.name, op: b.node.opType, reason: result });
      choices.push({ b, outs });
    } else {
      choices.push({ b, outs, gpu: result });
    }
  }

  // Which values GPU steps read, and the last step using each value.
  const gpuReads = new Set<string>();
  const lastUse = new Map<string, number>();
  choices.forEach((c, i) => {
    const refs = c.gpu && 'programs' in c.gpu ? c.gpu.programs.flatMap((p) => p.bindings) : [];
    const read = c.engine ? c.b.node.inputs.filter((n) => n) : c.gpu ? ('alias' in c.gpu ? [c.b.node.inputs[c.gpu.alias]!] : refs.flatMap((r) => ('input' in r ? [c.b.node.inputs[r.input]!] : []))) : [];
    for (const n of read) gpuReads.add(n);
    for (const n of c.b.node.inputs) if (n) lastUse.set(n, i);
  });

  const slots = new Map<string, Slot>();
  const cpuProduced = new Set<string>();
  const pendingScopes: Promise<string | false | null>[] = [];
  let liveBytes = 0;
  const allocate = (name: string, shape: readonly number[], where: string): Slot => {
    const bytes = byteSize(shape);
    assertWithinBudget(liveBytes, sizeClass(bytes), memoryBudget, `'${name}' (${shape.join('×')} elements)`, where);
    checkBufferSize(gpu.limits, sizeClass(bytes), `'${name}'`, where);
    device.pushErrorScope('out-of-memory');
    const slot = { buffer: schedule.buffers.acquire(bytes), refs: 1 };
    pendingScopes.push(device.popErrorScope().then((err) => err && `out of memory allocating ${bytes} bytes for '${name}' at ${where}`));
    slots.set(name, slot);
    liveBytes += slot.buffer.size;
    schedule.peakBytes = Math.max(schedule.peakBytes, liveBytes);
    return slot;
  };
  const release = (name: string) => {
    const s = slots.get(name);
    if (!s || outputNames.has(name)) return;
    slots.delete(name);
    if (--s.refs === 0) {
      schedule.buffers.release(s.buffer);
      liveBytes -= s.buffer.size;
    }
  };
  /** A buffer holding `t` for the schedule's life (or the executor's, when `shared`). */
  const uploadConstant = (t: Tensor, what: string, shared = false): GPUBuffer => {
    const data = toDeviceData(t, what);
    checkBufferSize(gpu.limits, data.byteLength, what);
    const buffer = device.createBuffer({ size: Math.max(4, data.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
    if (!shared) schedule.owned.push(buffer);
    return buffer;
  };
  const hostConstant = (name: string): GPUBuffer => {
    const shared = g.initializers.get(name) === graph.initializers.get(name) && graph.initializers.has(name);
    const cached = shared ? constantBuffers.get(name) : undefined;
    if (cached) return cached;
    const buffer = uploadConstant(constant(name)!, `constant '${name}'`, shared);
    if (shared) constantBuffers.set(name, buffer);
    return buffer;
  };
  const transfer = (name: string, buffer: GPUBuffer, staged: boolean): Transfer => {
    const t = typeOf(name);
    const out: Transfer = { name, dtype: t.dtype, shape: [...t.shape], buffer };
    if (staged) {
      out.staging = device.createBuffer({ size: byteSize(t.shape), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      schedule.owned.push(out.staging);
    }
    return out;
  };
  // Graph inputs are uploaded before the pass starts, so their buffers are live from the start.
  for (const name of gpuReads) {
    if (!isGraphInput.has(name)) continue;
    const slot = allocate(name, typeOf(name).shape, 'graph input');
    schedule.uploads.push(transfer(name, slot.buffer, false));
  }
  const bufferOf = (name: string): GPUBuffer => {
    const s = slots.get(name);
    if (s) return s.buffer;
    if (constant(name)) return hostConstant(name);
    throw new Error(`value '${name}' has no device buffer`);
  };

  for (let i = 0; i < choices.length; i++) {
    const { b, outs, gpu: planned, engine } = choices[i]!;
    const node = b.node;
    const where = nodeWhere(node);
    if (engine) {
      const inputShapes = Object.fromEntries(node.inputs.filter((n) => n).map((n) => [n, [...typeOf(n).shape]]));
      const step = await engines!(node, inputShapes);
      const inputs = Object.fromEntries(node.inputs.filter((n) => n).map((n) => [n, bufferOf(n)]));
      const outputs = node.outputs.map((o, k) => allocate(o, outs[k]!.shape, where).buffer);
      schedule.steps.push({ kind: 'engine', node, engine: step, inputs, outputs });
    } else if (!planned) {
      const onDevice = (n: string) => slots.has(n) && !isGraphInput.has(n) && !cpuProduced.has(n);
      const reads = node.inputs.filter((n, k) => n && onDevice(n) && node.inputs.indexOf(n) === k).map((n) => transfer(n, slots.get(n)!.buffer, true));
      const writes: Transfer[] = [];
      // a host-only output (no GPU step reads it) gets no device buffer, but the budget holds for it too
      node.outputs.forEach((o, k) => {
        const t = outs[k];
        if (o && t && !gpuReads.has(o)) {
          assertWithinBudget(liveBytes, elementCount(t.shape) * BYTES_PER_ELEMENT[t.dtype], memoryBudget, `'${o}' (${t.shape.join('×')} elements)`, where);
        }
      });
      node.outputs.forEach((o) => {
        if (o) cpuProduced.add(o);
        if (o && gpuReads.has(o)) writes.push(transfer(o, allocate(o, typeOf(o).shape, where).buffer, false));
      });
      const kernel = b.op.cpu;
      if (!kernel) {
        throw new UnsupportedError(`${node.opType} has no CPU kernel and cannot run on WebGPU: ${schedule.fallbacks.at(-1)?.reason}`, { where });
      }
      schedule.steps.push({ kind: 'cpu', node, bound: b, kernel, outputs: outs, reads, writes });
    } else if ('alias' in planned) {
      const src = node.inputs[planned.alias]!;
      const buffer = bufferOf(src);
      const s = slots.get(src);
      if (s) {
        s.refs++;
        slots.set(node.outputs[0]!, s);
      } else {
        slots.set(node.outputs[0]!, { buffer, refs: Infinity }); // a constant's buffer: never pooled
      }
    } else {
      // an omitted optional output that a program still writes gets a buffer dying with the node
      const bound = new Set(planned.programs.flatMap((p) => p.bindings.flatMap((r) => ('output' in r ? [r.output] : []))));
      const temps: GPUBuffer[] = [];
      const temp = (elements: number) => {
        const buffer = schedule.buffers.acquire(Math.max(DEVICE_BYTES_PER_ELEMENT, elements * DEVICE_BYTES_PER_ELEMENT));
        temps.push(buffer);
        return buffer;
      };
      const outBuffers = node.outputs.map((o, k) => (o ? allocate(o, outs[k]!.shape, where).buffer : bound.has(k) ? temp(elementCount(outs[k]!.shape)) : undefined));
      const scratch = (planned.scratch ?? []).map((n) => ({ buffer: temp(n), size: Math.max(DEVICE_BYTES_PER_ELEMENT, n * DEVICE_BYTES_PER_ELEMENT) }));
      const blocks = (planned.constants ?? []).map((t, j) => ({ buffer: uploadConstant(t, `block ${j} of a constant of ${where}`), size: byteSize(t.shape) }));
      const dispatches = await makeDispatches(gpu, planned.programs, (r) => refBuffer(r), where, schedule.owned);
      for (const t of temps) schedule.buffers.release(t);
      function refBuffer(r: BufferRef): { buffer: GPUBuffer; size: number } {
        if ('scratch' in r) return scratch[r.scratch]!;
        if ('constant' in r) return blocks[r.constant]!;
        if ('output' in r) return { buffer: outBuffers[r.output]!, size: byteSize(outs[r.output]!.shape) };
        const name = node.inputs[r.input]!;
        return { buffer: bufferOf(name), size: byteSize(typeOf(name).shape) };
      }
      const empty = outs.every((o) => o.shape.includes(0));
      schedule.steps.push({ kind: 'gpu', node, dispatches: empty ? [] : dispatches });
    }
    for (const n of new Set(node.inputs)) if (n && lastUse.get(n) === i) release(n);
    for (const o of node.outputs) if (o && !lastUse.has(o)) release(o);
  }
  const oom = (await Promise.all(pendingScopes)).find((m) => m);
  if (oom) throw new DeviceError(`the WebGPU device ran out of memory: ${oom}`, { hint: 'use smaller inputs or --device cpu' });

  for (const o of graph.outputs) {
    const s = slots.get(o.name);
    const onDevice = s && !isGraphInput.has(o.name) && !cpuProduced.has(o.name);
    schedule.outputs.push(onDevice ? { name: o.name, device: transfer(o.name, s.buffer, true) } : { name: o.name });
  }
  return schedule;
}

async function makeDispatches(
  gpu: GpuDevice, programs: Program[], bufferOf: (r: BufferRef) => { buffer: GPUBuffer; size: number }, where: string, owned: GPUBuffer[],
): Promise<Dispatch[]> {
  const device = gpu.device;
  const out: Dispatch[] = [];
  for (const p of programs) {
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await gpu.pipelines.get(p.key, p.source);
    } catch (e) {
      if (e instanceof NnrtError) throw new DeviceError(e.where ? `${e.detail} (in ${e.where})` : e.detail, { where, ...(e.hint ? { hint: e.hint } : {}), cause: e });
      throw e;
    }
    const entries: GPUBindGroupEntry[] = p.bindings.map((r, k) => {
      const { buffer, size } = bufferOf(r);
      return { binding: k, resource: { buffer, size } };
    });
    if (p.uniforms) {
      const data = p.uniforms.pack();
      const ub = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true });
      new Uint8Array(ub.getMappedRange()).set(new Uint8Array(data));
      ub.unmap();
      owned.push(ub);
      entries.push({ binding: p.bindings.length, resource: { buffer: ub } });
    }
    device.pushErrorScope('validation');
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const err = await device.popErrorScope();
    if (err) throw new DeviceError(`cannot bind the buffers of shader '${p.key}': ${err.message}`, { where });
    out.push({ pipeline, bindGroup, workgroups: p.workgroups });
  }
  return out;
}
