/// <reference types="@webgpu/types" />
import { checkMemoryBudget, defaultMemoryBudget } from './memory-budget.js';
import { DeviceError, ExecutionError, InputError, NnrtError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import { bindShape } from '../ir/infer.js';
import { topoSort } from '../ir/topo.js';
import { verifyGraph } from '../ir/verify.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { fromDeviceData, toDeviceData } from '../devices/webgpu/dtype.js';
import { gpuTensorView, isGpuTensor, type GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import { bindNode, type BoundNode } from '../ops/typer.js';
import type { Tensor } from '../tensor/tensor.js';
import { buildGpuSchedule, type EngineProvider, type GpuSchedule, type ScheduleStep, type Transfer } from './gpu-schedule.js';
import { dataDependentNodes, StagedGpuRun } from './gpu-stages.js';
import { hasNonTensorIO, hostNodes } from './host-steps.js';
import { checkFeed } from './executor.js';
import { encodeRun, recordable, RunRecorder, type RunKey } from './recorded-run.js';
import { checkDeviceFeed, copyIn, copyOut, readAll, writeTensor } from './transfers.js';
import { checkLoopLimit, DEFAULT_MAX_LOOP_ITERATIONS } from './program.js';
import { elementCount } from '../tensor/shape.js';
import { Tensor as TensorClass } from '../tensor/tensor.js';
import { describeValue, OptionalValue, type Value } from '../tensor/value.js';
import { shapeDecidingInputs } from './shape-deciding-inputs.js';

/** Schedules (one per set of input shapes) kept per executor; see evictSchedules. */
const MAX_SCHEDULES = 32;

/** `runOnDevice` options. wait (default true): resolve once the device has finished the run, not once it is submitted. */
export interface RunOnDeviceOptions {
  wait?: boolean;
}

/** A feed of `runOnDevice`: a host tensor, or one already on this device. */
export type DeviceFeed = Tensor | GpuTensor;

export interface GpuRunStats {
  /** Nodes executed (constant-folded ones excluded). */
  nodes: number;
  /** Device bytes held by the schedule's intermediates at their peak. */
  peakBytes: number;
  /**
   * Device↔host copies in the last run: for CPU fallbacks and host ops, and the reads of values
   * that decide control flow (If's condition, a Loop's trip count and condition).
   */
  transfers: number;
  /** Nodes that ran on the CPU, and why. */
  fallbacks: { node: string; op: string; reason: string }[];
  /** Compute pipelines compiled on this device so far. */
  pipelines: number;
  /** Command buffers submitted in the last run. */
  submits: number;
  /** Device-to-device copies at engine boundaries in the last run. */
  deviceCopies: number;
}

/**
 * The framework on WebGPU. Each set of input shapes gets a schedule (see gpu-schedule.ts); a run encodes
 * all dispatches of the schedule into one command encoder and submits once, reading back only the
 * graph outputs. A node without a WGSL kernel runs its CPU kernel: the encoder is submitted, its
 * device-resident inputs read back, and its outputs uploaded for the GPU nodes that read them.
 */
export class GpuExecutor {
  readonly graph: Graph;
  private readonly order: BoundNode[];
  /** Graph inputs whose values (not only shapes) decide shapes: part of the schedule key. */
  private readonly shapeFeeds: Set<string>;
  private readonly schedules = new Map<string, Promise<GpuSchedule>>();
  private readonly constantBuffers = new Map<string, GPUBuffer>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when shapes inside the graph depend on data (see gpu-stages.ts): runs go through it. */
  private readonly stages?: StagedGpuRun;
  lastStats: GpuRunStats = { nodes: 0, peakBytes: 0, transfers: 0, fallbacks: [], pipelines: 0, submits: 0, deviceCopies: 0 };

  private readonly memoryBudget: number;
  /** Record each run's command buffers during the run before (recorded-run.ts); default on. */
  private readonly preEncode: boolean;
  private readonly recorder = new RunRecorder();

  constructor(graph: Graph, readonly gpu: GpuDevice, private readonly engines?: EngineProvider, opts: { memoryBudget?: number; maxLoopIterations?: number; preEncode?: boolean } = {}) {
    this.preEncode = opts.preEncode ?? true;
    this.memoryBudget = opts.memoryBudget === undefined ? defaultMemoryBudget() : checkMemoryBudget(opts.memoryBudget);
    const maxLoopIterations = checkLoopLimit(opts.maxLoopIterations ?? DEFAULT_MAX_LOOP_ITERATIONS);
    verifyGraph(graph);
    this.graph = graph;
    this.order = topoSort(graph).map((n) => bindNode(n, graph.opsets.get(n.domain)));
    // data-dependent shapes and host ops (control flow, sequences, optionals) cut the run into stages
    const cutNodes = new Set([...dataDependentNodes(graph, this.order), ...hostNodes(graph, this.order)]);
    const cut = this.order.filter((b) => cutNodes.has(b));
    if (cut.length || hasNonTensorIO(graph)) {
      const stageOpts = { memoryBudget: this.memoryBudget, maxLoopIterations, cpuKernels: 'fast' as const };
      this.stages = new StagedGpuRun(graph, this.order, cut, (g) => new GpuExecutor(g, gpu, engines, stageOpts), stageOpts, gpu);
    }
    this.shapeFeeds = shapeDecidingInputs(graph, this.order);
  }

  get inputs() {
    return this.graph.inputs.filter((v) => !this.graph.initializers.has(v.name));
  }

  /** Runs one forward pass of a model whose inputs and outputs are tensors. */
  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const out = await this.runValues(feeds);
    for (const [name, v] of Object.entries(out)) {
      if (!(v instanceof TensorClass)) throw new InputError(`output '${name}' is ${describeValue(v)}, not a tensor`, { hint: 'use runValues for models with sequence or optional outputs' });
    }
    return out as Record<string, Tensor>;
  }

  /** Runs one forward pass whose inputs or outputs may be sequences or optionals; concurrent calls are served one after another. */
  runValues(feeds: Record<string, Value>): Promise<Record<string, Value>> {
    return this.enqueue(() => this.runOnce(feeds, 'host') as Promise<Record<string, Value>>);
  }

  /**
   * Runs one forward pass with inputs that may already be on the device (copied device to device)
   * and leaves the outputs there: GpuTensors valid until the next run. Resolves once the device has
   * finished, or with `wait: false` once the work is submitted (later work on the device's queue,
   * the next run's included, runs after it). Outputs computed on the host (CPU fallbacks,
   * constants) come back as host tensors.
   */
  runOnDevice(feeds: Record<string, DeviceFeed>, opts: RunOnDeviceOptions = {}): Promise<Record<string, DeviceFeed>> {
    return this.enqueue(() => this.runOnce(feeds, opts.wait === false ? 'chained' : 'resident') as Promise<Record<string, DeviceFeed>>);
  }

  /**
   * Runs one forward pass inside an enclosing GPU run (a stage, an If branch, a Loop or Scan body):
   * feeds may be device tensors, sequences or optionals; tensor outputs stay on the device (views
   * valid until this executor runs again) and a feed given back as an output is returned as given.
   * Does not wait for the device: later work on the same queue runs after it.
   */
  runChained(feeds: Record<string, Value | GpuTensor>): Promise<Record<string, Value | GpuTensor>> {
    return this.enqueue(() => this.runOnce(feeds, 'chained'));
  }

  /** Graph inputs whose values decide shapes: a device tensor fed there is read back first. */
  get shapeInputs(): ReadonlySet<string> {
    return this.shapeFeeds;
  }

  private enqueue<R>(f: () => Promise<R>): Promise<R> {
    const next = this.queue.then(f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.stages?.dispose();
    void this.queue.then(async () => {
      for (const p of this.schedules.values()) {
        const schedule = await p.catch(() => undefined);
        if (!schedule) continue;
        for (const b of schedule.owned) b.destroy();
        schedule.buffers.dispose();
      }
      for (const b of this.constantBuffers.values()) b.destroy();
      this.schedules.clear();
    });
  }

  /** Checks the feeds against the inputs; fills in empty optionals left out; returns the tensors' shapes. */
  private checkFeeds(feeds: Record<string, Value | GpuTensor>): Record<string, number[]> {
    const shapes: Record<string, number[]> = {};
    const names = this.inputs.map((i) => i.name).join(', ');
    for (const v of this.inputs) {
      const t = feeds[v.name];
      if (!t) {
        if (v.kind !== 'optional' && v.kind !== 'optional-sequence') throw new InputError(`missing input '${v.name}'`, { hint: `the model takes ${names}` });
        feeds[v.name] = new OptionalValue(v.kind === 'optional' ? 'tensor' : 'sequence', v.dtype, undefined);
        continue;
      }
      if (!(t instanceof TensorClass || isGpuTensor(t)) || (v.kind && v.kind !== 'tensor')) {
        checkFeed(v, t as Value);
        continue;
      }
      if (t.dtype !== v.dtype) throw new InputError(`input '${v.name}' must be ${v.dtype}, got ${t.dtype}`);
      shapes[v.name] = bindShape(v, t.shape);
    }
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((v) => v.name === name)) throw new InputError(`unknown input '${name}'`, { hint: `the model takes ${names}` });
    }
    return shapes;
  }

  private scheduleFor(feeds: Record<string, DeviceFeed>, shapes: Record<string, number[]>): Promise<GpuSchedule> {
    const fixed = new Map([...this.shapeFeeds].map((n) => {
      const t = feeds[n]!;
      if (isGpuTensor(t)) throw new InputError(`input '${n}' decides shapes inside the graph: pass it as a host tensor`);
      return [n, t];
    }));
    const key = JSON.stringify([shapes, [...fixed].map(([n, t]) => [n, t.toNumbers()])]);
    let schedule = this.schedules.get(key);
    if (schedule) {
      // most recently used last: the eviction below drops the least recently used
      this.schedules.delete(key);
      this.schedules.set(key, schedule);
    } else {
      this.evictSchedules();
      schedule = buildGpuSchedule(this.gpu, this.graph, this.order, shapes, fixed, this.constantBuffers, this.engines, this.memoryBudget);
      this.schedules.set(key, schedule);
      schedule.catch(() => this.schedules.delete(key));
    }
    return schedule;
  }

  /**
   * A model with symbolic dims meets many shapes (every sequence length): each schedule holds its
   * device buffers, so only the MAX_SCHEDULES most recently used are kept. Runs are served one at
   * a time, so the evicted schedules are not in use.
   */
  private evictSchedules(): void {
    while (this.schedules.size >= MAX_SCHEDULES) {
      const [oldest, p] = this.schedules.entries().next().value!;
      this.schedules.delete(oldest);
      void p.then((schedule) => {
        for (const b of schedule.owned) b.destroy();
        schedule.buffers.dispose();
      }, () => {});
    }
  }

  /** `mode`: 'host' reads the outputs back; 'resident' leaves them on the device and waits for it; 'chained' does not wait. */
  private async runOnce(given: Record<string, Value | GpuTensor>, mode: 'host' | 'resident' | 'chained'): Promise<Record<string, Value | GpuTensor>> {
    this.gpu.checkAlive();
    const values = { ...given };
    const shapes = this.checkFeeds(values);
    const resident = mode !== 'host';
    if (this.stages) {
      const out = await this.stages.run(values, resident);
      this.lastStats = this.stages.lastStats;
      if (mode === 'resident') await this.gpu.device.queue.onSubmittedWorkDone();
      return out;
    }
    // without stages no input is a sequence or optional (hasNonTensorIO): checkFeeds saw tensors
    const feeds = values as Record<string, DeviceFeed>;
    const schedule = await this.scheduleFor(feeds, shapes);
    const device = this.gpu.device;
    let transfers = 0;
    // device feeds are read back only where a CPU step or a host output needs them (a feed given
    // back as an output on the device stays there)
    const passed = (name: string) => resident && name in feeds;
    const onHost = new Set([...schedule.steps.flatMap((s) => (s.kind === 'cpu' ? s.node.inputs : [])), ...schedule.outputs.filter((o) => !o.device && !passed(o.name)).map((o) => o.name)]);
    const hostFeeds: [string, Tensor][] = [];
    for (const [name, t] of Object.entries(feeds)) {
      if (!isGpuTensor(t)) hostFeeds.push([name, t]);
      else if (onHost.has(name)) {
        hostFeeds.push([name, await t.read()]);
        transfers++;
      }
    }
    const host = new Map<string, Tensor>([...this.graph.initializers, ...schedule.constants, ...hostFeeds]);
    const deviceFeeds = schedule.uploads.filter((u) => isGpuTensor(feeds[u.name]));
    for (const u of deviceFeeds) checkDeviceFeed(feeds[u.name] as GpuTensor, u);
    for (const u of schedule.uploads) if (!isGpuTensor(feeds[u.name])) writeTensor(device, u, host.get(u.name)!);
    const back = resident ? [] : schedule.outputs.flatMap((o) => (o.device ? [o.device] : []));
    const run = this.preEncode && recordable(schedule)
      ? { ...(await this.runRecorded({ schedule, resident, feeds: deviceFeeds.map((u) => [feeds[u.name] as GpuTensor, u] as const) }, back, host, mode)), transfers }
      : await this.runSteps(schedule, back, host, mode, feeds, deviceFeeds, transfers);
    this.lastStats = { nodes: schedule.steps.length, peakBytes: schedule.peakBytes, fallbacks: schedule.fallbacks, pipelines: this.gpu.pipelines.compiled, ...run };
    const result: Record<string, DeviceFeed> = {};
    for (const o of schedule.outputs) {
      result[o.name] = resident && o.device ? gpuTensorView(this.gpu, o.device.dtype, o.device.shape, o.device.buffer) : passed(o.name) ? feeds[o.name]! : host.get(o.name)!;
    }
    return result;
  }

  /**
   * A run of a recordable schedule (recorded-run.ts): submits the command buffers recorded during
   * the last run (or encodes them now), records the next run's while the GPU works, reads `back`.
   */
  private async runRecorded(key: RunKey, back: Transfer[], host: Map<string, Tensor>, mode: 'host' | 'resident' | 'chained') {
    const device = this.gpu.device;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    let ok = false;
    let scopes: Promise<void> | undefined;
    try {
      const run = this.recorder.take(key) ?? encodeRun(device, key.schedule, key.feeds, back);
      for (const b of run.buffers) device.queue.submit([b]);
      // the scopes close as soon as the work is submitted: their answers come back while the GPU
      // works instead of after the read back (a fault of the next run's encoding surfaces at its submit)
      scopes = popRunScopes(device, () => this.recorder.drop(key.schedule));
      scopes.catch(() => undefined);
      this.recorder.hold(key, encodeRun(device, key.schedule, key.feeds, back));
      for (const [t, value] of await readAll(back, this.gpu)) host.set(t.name, value);
      if (mode === 'resident') await device.queue.onSubmittedWorkDone();
      ok = true;
      return { submits: run.buffers.length, deviceCopies: run.deviceCopies };
    } finally {
      if (!ok) this.recorder.drop(key.schedule);
      await (scopes ?? popRunScopes(device, () => this.recorder.drop(key.schedule)));
    }
  }

  /** A run step by step: CPU steps split it into several submits, with reads and writes between. */
  private async runSteps(schedule: GpuSchedule, back: Transfer[], host: Map<string, Tensor>, mode: 'host' | 'resident' | 'chained', feeds: Record<string, DeviceFeed>, deviceFeeds: Transfer[], transfers: number) {
    const device = this.gpu.device;
    let submits = 0;
    let deviceCopies = 0;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    let encoder = device.createCommandEncoder();
    for (const u of deviceFeeds) {
      copyIn(encoder, feeds[u.name] as GpuTensor, u);
      deviceCopies++;
    }
    let pass: GPUComputePassEncoder | undefined;
    let pending = false;
    const flush = () => {
      pass?.end();
      pass = undefined;
      device.queue.submit([encoder.finish()]);
      submits++;
      encoder = device.createCommandEncoder();
      pending = false;
    };
    try {
      for (const step of schedule.steps) {
        if (step.kind === 'engine') {
          pass?.end();
          pass = undefined;
          step.engine.encode(encoder, step.inputs, step.outputs);
          deviceCopies += step.engine.deviceCopies;
          pending = true;
          continue;
        }
        if (step.kind === 'gpu') {
          if (step.dispatches.length === 0) continue;
          pass ??= encoder.beginComputePass();
          for (const d of step.dispatches) {
            pass.setPipeline(d.pipeline);
            pass.setBindGroup(0, d.bindGroup);
            pass.dispatchWorkgroups(...d.workgroups);
          }
          pending = true;
          continue;
        }
        // Fallback: finish the pending work before reading its results or overwriting reused buffers.
        if (pending || step.reads.length) {
          pass?.end();
          pass = undefined;
          for (const r of step.reads) copyOut(encoder, r);
          flush();
        }
        for (const [r, t] of await readAll(step.reads, this.gpu)) host.set(r.name, t);
        transfers += step.reads.length;
        this.runCpuStep(step, host);
        for (const w of step.writes) writeTensor(device, w, host.get(w.name)!);
        transfers += step.writes.length;
      }
      pass?.end();
      pass = undefined;
      for (const t of back) copyOut(encoder, t);
      flush();
      for (const [t, value] of await readAll(back, this.gpu)) host.set(t.name, value);
      if (mode === 'resident') await device.queue.onSubmittedWorkDone();
    } finally {
      await popRunScopes(device);
    }
    return { submits, deviceCopies, transfers };
  }

  private runCpuStep(step: Extract<ScheduleStep, { kind: 'cpu' }>, host: Map<string, Tensor>): void {
    const node = step.node;
    try {
      const ins = node.inputs.map((n) => (n ? host.get(n) : undefined));
      const outs = step.kernel(ins, step.outputs);
      node.outputs.forEach((o, k) => o && outs[k] && host.set(o, outs[k]!));
    } catch (e) {
      if (e instanceof NnrtError && e.where) throw e;
      const Ctor = e instanceof NnrtError ? (e.constructor as typeof NnrtError) : ExecutionError;
      throw new Ctor(e instanceof Error ? e.message : String(e), { where: nodeWhere(node), cause: e });
    }
  }
}

/** Pops a run's two error scopes; a device error becomes a typed error (`onError` runs first). */
async function popRunScopes(device: GPUDevice, onError?: () => void): Promise<void> {
  const oom = await device.popErrorScope();
  const invalid = await device.popErrorScope();
  if (oom || invalid) onError?.();
  if (oom) throw new DeviceError(`the WebGPU device ran out of memory during the forward pass: ${oom.message}`);
  if (invalid) throw new ExecutionError(`the WebGPU device rejected the forward pass: ${invalid.message}`);
}
