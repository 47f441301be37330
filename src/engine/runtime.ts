/// <reference types="@webgpu/types" />
// A loaded engine (TensorRT's ICudaEngine) and its execution contexts. Loading compiles every
// kernel and uploads the constants once; a context owns its activation arena and the bind groups
// over it, made once, so an inference is: write inputs, encode the recorded dispatch list into one
// compute pass, copy outputs, one submit. (WebGPU command buffers cannot be resubmitted, so the
// dispatch list is re-encoded each run: a few µs per dispatch on the CPU, no allocation.)
import { DeviceError, ExecutionError, InputError } from '../errors.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { Tensor } from '../tensor/tensor.js';
import { fromDeviceData, hostArrayFor, toDeviceData } from '../devices/webgpu/dtype.js';
import { VERSION } from '../version.js';
import { enginePipeline } from './tactic-timing.js';
import { checkPlanBackend, checkPlanCompatible, checkPlanFitsDevice, parsePlan, serializePlan, type EnginePlan } from './plan-format.js';

// A function, not a constant: GPUBufferUsage exists only once a WebGPU implementation is installed.
const ARENA_USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

/** An engine output left on the device: valid until the context's next execute. */
export interface DeviceTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly buffer: GPUBuffer;
  /** Copies the values to the host. */
  read(): Promise<Tensor>;
}

export interface LoadOptions {
  /** Refuse a plan whose input shapes differ from these. */
  inputShapes?: Record<string, number[]>;
  /** Refuse a plan built in another precision. */
  precision?: 'fp32' | 'fp16' | 'int8';
  /** Use this engine's constants buffer when the plan's constants are the same bytes (a profile's specializations). */
  constantsOf?: Engine;
}

export class Engine {
  private constructor(
    readonly gpu: GpuDevice,
    readonly plan: EnginePlan,
    private readonly pipelines: GPUComputePipeline[],
    private readonly constants: GPUBuffer,
    private readonly ownsConstants = true,
  ) {}

  /** Loads a plan (bytes of a plan file, or a plan just built) on a device. */
  static async load(gpu: GpuDevice, source: Uint8Array | EnginePlan, opts: LoadOptions = {}): Promise<Engine> {
    const plan = source instanceof Uint8Array ? parsePlan(source) : source;
    checkPlanBackend(plan.header, 'webgpu');
    checkPlanCompatible(plan.header, {
      nnrtVersion: VERSION, adapter: gpu.adapter, precision: opts.precision, features: gpu.features,
      inputs: opts.inputShapes && Object.entries(opts.inputShapes).map(([name, shape]) => ({ name, shape })),
    });
    gpu.checkAlive();
    checkPlanFitsDevice(plan, gpu.limits);
    const device = gpu.device;
    const pipelines = await Promise.all(plan.kernels.map((wgsl, k) => enginePipeline(gpu, wgsl).catch((e: Error) => {
      const layer = plan.layers[plan.dispatches.find((d) => d.kernel === k)?.layer ?? 0];
      throw new DeviceError(`kernel ${k} of the plan failed to compile: ${e.message}`, { where: `layer ${layer?.name ?? '?'}`, cause: e });
    })));
    const base = opts.constantsOf;
    if (base && sameBytes(base.plan.constants, plan.constants)) return new Engine(gpu, plan, pipelines, base.constants, false);
    device.pushErrorScope('out-of-memory');
    const constants = device.createBuffer({ size: Math.max(16, plan.constants.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const oom = await device.popErrorScope();
    if (oom) throw new DeviceError(`out of device memory for ${plan.constants.byteLength} bytes of engine weights`);
    if (plan.constants.byteLength) device.queue.writeBuffer(constants, 0, plan.constants as Uint8Array<ArrayBuffer>);
    return new Engine(gpu, plan, pipelines, constants);
  }

  serialize(): Uint8Array {
    return serializePlan(this.plan);
  }

  get inputs() {
    return this.plan.header.inputs;
  }

  get outputs() {
    return this.plan.header.outputs;
  }

  /**
   * A context with its own activation arena, or one over `shared.arena` (a profile's arena, sized
   * at its max shapes, that every specialization of the profile runs in; not destroyed with the context).
   */
  async createExecutionContext(shared: { arena?: GPUBuffer } = {}): Promise<ExecutionContext> {
    const device = this.gpu.device;
    if (shared.arena && shared.arena.size < this.plan.arenaBytes) {
      throw new DeviceError(`the shared arena has ${shared.arena.size} bytes; this plan needs ${this.plan.arenaBytes}`);
    }
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const arena = shared.arena ?? device.createBuffer({ size: Math.max(16, this.plan.arenaBytes), usage: ARENA_USAGE() });
    const outputs = this.plan.io.outputs.map((o) => device.createBuffer({ size: Math.max(16, o.bytes), usage: ARENA_USAGE() }));
    const staging = this.plan.io.outputs.map((o) => device.createBuffer({ size: Math.max(16, o.bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }));
    const bindGroups = this.plan.dispatches.map((d) => device.createBindGroup({
      layout: this.pipelines[d.kernel]!.getBindGroupLayout(0),
      entries: d.bindings.map((r, i) => ({ binding: i, resource: { buffer: r.buffer === 'arena' ? arena : this.constants, offset: r.offset, size: r.size } })),
    }));
    const invalid = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (oom) throw new DeviceError(`out of device memory for the engine's ${this.plan.arenaBytes}-byte activation arena`, { hint: 'use a smaller batch' });
    if (invalid) throw new DeviceError(`the device rejected the engine's bindings: ${invalid.message}`);
    return new ExecutionContext(this, this.pipelines, arena, outputs, staging, bindGroups, !shared.arena);
  }

  /** An arena buffer of `bytes` for contexts to share (createExecutionContext({ arena })). */
  createArena(bytes: number): GPUBuffer {
    return this.gpu.device.createBuffer({ size: Math.max(16, bytes), usage: ARENA_USAGE() });
  }

  dispose(): void {
    if (this.ownsConstants) this.constants.destroy();
  }
}

export class ExecutionContext {
  /** Device-to-device copies made at the engine's edges in the last run (inputs given as device buffers). */
  deviceCopies = 0;

  constructor(
    readonly engine: Engine,
    private readonly pipelines: GPUComputePipeline[],
    private readonly arena: GPUBuffer,
    private readonly outputBuffers: GPUBuffer[],
    private readonly staging: GPUBuffer[],
    private readonly bindGroups: GPUBindGroup[],
    private readonly ownsArena = true,
  ) {}

  private checkInputs(inputs: Record<string, Tensor | GPUBuffer>): void {
    const { header } = this.engine.plan;
    for (const want of header.inputs) {
      const got = inputs[want.name];
      if (!got) throw new InputError(`missing engine input '${want.name}'`, { hint: `the engine takes ${header.inputs.map((i) => i.name).join(', ')}` });
      if (got instanceof Tensor) {
        // integer inputs take int64 or int32 (narrowed to i32 on upload), bool inputs bool
        const takes = want.dtype === undefined ? ['float32'] : want.dtype === 'bool' ? ['bool'] : ['int64', 'int32'];
        if (!takes.includes(got.dtype)) throw new InputError(`engine input '${want.name}' must be ${takes.join(' or ')}, got ${got.dtype}`);
        if (got.shape.join() !== want.shape.join()) {
          throw new InputError(`engine input '${want.name}' has shape [${got.shape}], the plan was built for [${want.shape}]`, { hint: 'build an engine for this shape' });
        }
      }
    }
  }

  /**
   * Records the inference into `encoder`: device-buffer inputs are copied into the arena (host
   * tensors must have been written with `writeInputs`), then one compute pass, then the outputs
   * are copied to `outputTargets` (default: this context's output buffers).
   */
  encode(encoder: GPUCommandEncoder, deviceInputs: Record<string, GPUBuffer> = {}, outputTargets?: GPUBuffer[], range?: readonly [number, number]): void {
    const { plan } = this.engine;
    const [from, to] = range ?? [0, plan.dispatches.length];
    this.deviceCopies = 0;
    if (from === 0) {
      for (const i of plan.io.inputs) {
        const src = deviceInputs[i.name];
        if (src) {
          encoder.copyBufferToBuffer(src, 0, this.arena, i.offset, i.bytes);
          this.deviceCopies++;
        }
      }
    }
    if (to > from) {
      const pass = encoder.beginComputePass();
      for (let k = from; k < to; k++) {
        const d = plan.dispatches[k]!;
        pass.setPipeline(this.pipelines[d.kernel]!);
        pass.setBindGroup(0, this.bindGroups[k]!);
        pass.dispatchWorkgroups(...d.workgroups);
      }
      pass.end();
    }
    if (to < plan.dispatches.length) return;
    plan.io.outputs.forEach((o, k) => {
      encoder.copyBufferToBuffer(this.arena, o.offset, (outputTargets ?? this.outputBuffers)[k]!, 0, o.bytes);
      if (outputTargets) this.deviceCopies++;
    });
  }

  /** How many dispatches one inference records. */
  get dispatchCount(): number {
    return this.engine.plan.dispatches.length;
  }

  /** The recorded dispatches with their pipelines and bind groups, in order (for per-layer profiles). */
  dispatchList(): { layer: number; pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; workgroups: [number, number, number] }[] {
    return this.engine.plan.dispatches.map((d, k) => ({ layer: d.layer, pipeline: this.pipelines[d.kernel]!, bindGroup: this.bindGroups[k]!, workgroups: d.workgroups }));
  }

  /** Writes host tensors into the arena's input regions (queued before the next submit). */
  writeInputs(inputs: Record<string, Tensor | GPUBuffer>): Record<string, GPUBuffer> {
    this.checkInputs(inputs);
    const device: Record<string, GPUBuffer> = {};
    for (const i of this.engine.plan.io.inputs) {
      const v = inputs[i.name]!;
      if (v instanceof Tensor) {
        // int64 beyond 32 bits is an error here, never a wrapped value; bool becomes 0/1 words
        const data = toDeviceData(v, `engine input '${i.name}'`);
        this.engine.gpu.device.queue.writeBuffer(this.arena, i.offset, data.buffer, data.byteOffset, i.bytes);
      } else {
        device[i.name] = v;
      }
    }
    return device;
  }

  /** Runs one inference; outputs stay on the device until read. */
  async execute(inputs: Record<string, Tensor | GPUBuffer>): Promise<Record<string, DeviceTensor>> {
    const gpu = this.engine.gpu;
    gpu.checkAlive();
    const device = gpu.device;
    const onDevice = this.writeInputs(inputs);
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder();
    this.encode(encoder, onDevice);
    device.queue.submit([encoder.finish()]);
    const invalid = await device.popErrorScope();
    if (invalid) throw new ExecutionError(`the WebGPU device rejected the engine's inference: ${invalid.message}`);
    const result: Record<string, DeviceTensor> = {};
    this.engine.plan.io.outputs.forEach((o, k) => {
      const shape = this.engine.plan.header.outputs[k]!.shape;
      const dtype = this.engine.plan.header.outputs[k]!.dtype ?? 'float32';
      result[o.name] = { name: o.name, shape, buffer: this.outputBuffers[k]!, read: () => readBuffer(gpu, this.outputBuffers[k]!, this.staging[k]!, shape, o.bytes, dtype) };
    });
    return result;
  }

  /** Runs one inference and reads every output to the host: one submit, outputs copied straight to staging. */
  async run(inputs: Record<string, Tensor | GPUBuffer>): Promise<Record<string, Tensor>> {
    const gpu = this.engine.gpu;
    gpu.checkAlive();
    const device = gpu.device;
    const onDevice = this.writeInputs(inputs);
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder();
    this.encode(encoder, onDevice, this.staging);
    this.deviceCopies -= this.staging.length;
    device.queue.submit([encoder.finish()]);
    // the validation scope and the read-back maps are asked for together: the maps do not wait
    // for the scope's answer to come back first
    const scope = device.popErrorScope();
    const maps = this.staging.map((s) => s.mapAsync(GPUMapMode.READ));
    // a map that fails while the scope is awaited is reported below, not as an unhandled rejection
    for (const m of maps) m.catch(() => undefined);
    const { io, header } = this.engine.plan;
    // the host arrays are made (their pages touched) while the device works: only the copy is left after the maps
    const into = header.outputs.map((out) => hostArrayFor(out.dtype ?? 'float32', out.shape));
    const invalid = await scope;
    if (invalid) {
      await Promise.allSettled(maps);
      for (const s of this.staging) s.unmap();
      throw new ExecutionError(`the WebGPU device rejected the engine's inference: ${invalid.message}`);
    }
    try {
      const tensors = await Promise.all(io.outputs.map(async (o, k) => {
        const staging = this.staging[k]!;
        await maps[k];
        // fromDeviceData copies out of the mapped range (one copy: the range is gone at unmap)
        const out = header.outputs[k]!;
        const tensor = fromDeviceData(out.dtype ?? 'float32', [...out.shape], staging.getMappedRange(0, o.bytes), into[k]);
        staging.unmap();
        return [o.name, tensor] as const;
      }));
      return Object.fromEntries(tensors);
    } catch (e) {
      gpu.checkAlive();
      throw new DeviceError(`reading engine outputs back failed: ${(e as Error).message}`, { cause: e });
    }
  }

  dispose(): void {
    if (this.ownsArena) this.arena.destroy();
    for (const b of [...this.outputBuffers, ...this.staging]) b.destroy();
  }
}

async function readBuffer(gpu: GpuDevice, src: GPUBuffer, staging: GPUBuffer, shape: readonly number[], bytes: number, dtype: 'float32' | 'int64' | 'int32' | 'bool'): Promise<Tensor> {
  const device = gpu.device;
  try {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(src, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const tensor = fromDeviceData(dtype, [...shape], staging.getMappedRange(0, bytes));
    staging.unmap();
    return tensor;
  } catch (e) {
    gpu.checkAlive();
    throw new DeviceError(`reading an engine output back failed: ${(e as Error).message}`, { cause: e });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
