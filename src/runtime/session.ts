/// <reference types="@webgpu/types" />
// The integration glue (src/runtime/): sessions that run a graph on a device, with engine
// regions partitioned out and built (engine-session.ts, optimize.ts), or over a loaded plan.
import { checkMemoryBudget } from '../executor/memory-budget.js';
import { UsageError } from '../errors.js';
import { sharedGpuDevice, type GpuDeviceOptions } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import '../cpu/register.js'; // the fast CPU kernels (cpuKernels 'fast')
import '../cpu/register-rnn.js'; // LSTM, GRU, RNN fast CPU kernels
import { markConstant, releaseResident } from '../cpu/resident.js';
import { prepareWasmKernels } from '../cpu/wasm-kernels.js';
import { CpuExecutor } from '../executor/executor.js';
import type { CpuKernelChoice } from '../executor/program.js';
import { GpuExecutor, type DeviceFeed, type GpuRunStats, type RunOnDeviceOptions } from '../executor/gpu-executor.js';
import { uploadTensor, type GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import { engineExclusionReason, hostOnlyReason } from '../executor/host-only.js';
import type { Graph, OutputInfo, ValueInfo } from '../ir/graph.js';
import '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Value } from '../tensor/value.js';
import { checkBuilderConfig, type BuilderConfig } from '../engine/config.js';
import type { PlanStore } from '../engine/service.js';
import type { TimingCache } from '../engine/timing-cache.js';
import type { EngineLayerTimes } from '../engine/layer-profile.js';
import { EngineSession, type EngineStats } from './engine-session.js';
import { CpuEngineSession } from './cpu-engine-session.js';
import { widenFloat16 } from '../ir/widen-float16.js';
import type { ShapeProfile } from '../engine/profile.js';

export const DEVICES = ['cpu', 'webgpu'] as const;
export type DeviceName = (typeof DEVICES)[number];
export const ENGINES = ['none', 'webgpu', 'cpu'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface SessionOptions {
  /** Where the framework runs the graph (default cpu). */
  device?: DeviceName;
  /** Hand supported subgraphs to the optimizing engine (default none). */
  engine?: EngineName;
  /**
   * The WebGPU implementation for device 'webgpu': Dawn's in Node (src/node/webgpu.ts registers it
   * as the default), navigator.gpu in a page (the default when nothing is registered).
   */
  gpu?: GPU;
  /** Adapter and feature choices for device 'webgpu'. */
  gpuOptions?: GpuDeviceOptions;
  /** Engine: storage precision (default fp32), per-layer overrides, tactic timing, cache, logs. */
  precision?: BuilderConfig['precision'];
  /**
   * Engine 'webgpu' with precision 'int8' (implicit quantization): the calibration cache's scales
   * (`calibrationFor(graph, text)` checks a cache against the model); the engine runs its conv,
   * gemm and MatMul-by-weights layers in int8 and the rest in fp32. QDQ models need none.
   */
  calibration?: BuilderConfig['calibration'];
  /** Precision int8: the precision of the layers int8 does not take (default fp32). */
  floatPrecision?: BuilderConfig['floatPrecision'];
  layerPrecision?: BuilderConfig['layerPrecision'];
  /** The webgpu engine's kernel kinds (BuilderConfig.tacticSources; default all the device has). */
  tacticSources?: BuilderConfig['tacticSources'];
  timeTactics?: boolean;
  timingCache?: TimingCache;
  memoryBudget?: number;
  /**
   * The most bytes of live tensors a run may hold (CPU and GPU), checked before allocating. Default:
   * half the machine's memory in Node (src/node/memory-default.ts), 4 GiB elsewhere.
   */
  maxMemory?: number;
  /**
   * Device 'webgpu': encode each run's commands during the run before, while the GPU works, so a
   * run only uploads its inputs and submits (default true; false encodes at each run, for comparison).
   */
  preEncode?: boolean;
  /** Where built plans are kept between processes (Node: `cacheDir` through src/node.ts). */
  planStore?: PlanStore;
  /**
   * Engine: optimization profiles, for models with symbolic dims (dynamic batch, sequence): per
   * input a min, opt and max shape. Each profile is partitioned and built once, tactics timed at
   * opt; a run at another shape in range re-instantiates the engines' kernels at that shape from
   * the recorded tactics (counted in stats().engine.specializations), never a new build. Without
   * profiles, each new set of input shapes is partitioned and built again (announced by `notice`).
   */
  profiles?: readonly ShapeProfile[];
  /**
   * Engine, with profiles: a run outside every profile fails with a ProfileError ('error', the
   * default), or builds a new profile for that shape, announced by `notice` ('build').
   */
  onNewShape?: 'error' | 'build';
  /** Partitioning: smallest subgraph handed to the engine, and what must stay in the framework. */
  minSubgraphSize?: number;
  excludeOps?: readonly string[];
  excludeNodes?: readonly string[];
  /** Verbose engine build log, and notices (engine off by NNRT_USE_ENGINE=0, nothing supported...). */
  log?: (line: string) => void;
  notice?: (line: string) => void;
  progress?: BuilderConfig['progress'];
  /** The most iterations one Loop node may run before the run fails naming it (default 1,000,000). */
  maxLoopIterations?: number;
  /**
   * CPU kernels: 'fast' (default: WebAssembly SIMD where an op has such a kernel, src/cpu/) or
   * 'reference' (the plain TypeScript kernels, the reference for checking).
   */
  cpuKernels?: CpuKernelChoice;
}

/** Counters a session reports after a run. */
export interface SessionStats {
  nodes: number;
  peakBytes: number;
  /** Device↔host copies made for CPU fallbacks and engine boundaries. */
  transfers: number;
  /** Device 'webgpu': the nodes that fell back to the CPU (and why), pipelines compiled, submits. */
  webgpu?: Pick<GpuRunStats, 'fallbacks' | 'pipelines' | 'submits'>;
  /** Engine 'webgpu' or 'cpu': the partition, engines built or loaded, boundary copies, weight bytes. */
  engine?: EngineStats;
}

/** A model ready to run: the same call signature whatever device or engine is behind it. */
export interface Session {
  readonly graph: Graph;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly OutputInfo[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  /** Runs with sequence and optional values as well (framework sessions; absent on engine plans). */
  runValues?(feeds: Record<string, Value>): Promise<Record<string, Value>>;
  /**
   * Device 'webgpu' (absent on the CPU, where tensors are in host memory already): copies a host
   * tensor to the session's device, for `runOnDevice`. Destroy its `buffer` when done.
   */
  upload?(t: Tensor): GpuTensor;
  /**
   * Device 'webgpu': runs with inputs that may be on the device already (from `upload`, or an
   * earlier run's outputs) and leaves the outputs there, valid until the next run; resolves once
   * the device has finished. Outputs computed on the host (CPU fallbacks) come back as host tensors.
   * `{ wait: false }` resolves once the run is submitted instead: runs then queue up on the device
   * back to back (throughput), each one's outputs valid for work submitted after it until the next
   * run; `deviceDone` says when they have finished.
   */
  runOnDevice?(feeds: Record<string, Tensor | GpuTensor>, opts?: RunOnDeviceOptions): Promise<Record<string, Tensor | GpuTensor>>;
  /** Device 'webgpu': resolves once the device has finished everything submitted so far (runs with `wait: false`). */
  deviceDone?(): Promise<void>;
  stats(): SessionStats;
  /** Engine sessions, after a run: per-layer times of each engine (GPU: src/engine/layer-profile.ts; cpu: src/engine/cpu/layer-profile.ts). */
  layerTimes?(reps?: number): Promise<EngineLayerTimes[]>;
  dispose(): void;
}

/**
 * NNRT_USE_ENGINE=0 turns the engine off globally (MXNet's MXNET_USE_TENSORRT); unset or 1 leaves
 * it to each session's `engine` option. Read without importing node: (undefined in a browser).
 */
export function engineEnabledByEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NNRT_USE_ENGINE !== '0';
}

export function checkSessionOptions(opts: SessionOptions): { device: DeviceName; engine: EngineName } {
  const engine = opts.engine ?? 'none';
  const device = opts.device ?? (engine === 'webgpu' ? 'webgpu' : 'cpu');
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new UsageError(`unknown device '${device}'`, { hint: `choose one of ${DEVICES.join(', ')}` });
  }
  if (!(ENGINES as readonly string[]).includes(engine)) {
    throw new UsageError(`unknown engine '${engine}'`, { hint: `choose one of ${ENGINES.join(', ')}` });
  }
  if (opts.profiles?.length && engine === 'cpu') {
    throw new UsageError('optimization profiles are for the webgpu engine; the cpu engine builds once per set of input shapes', { hint: 'leave out the profiles with engine cpu (each new shape is partitioned and built when first seen)' });
  }
  if (opts.profiles?.length && engine !== 'webgpu') {
    throw new UsageError('optimization profiles are for the webgpu engine', { hint: "add engine: 'webgpu' (the framework alone runs any shape without profiles)" });
  }
  if (opts.onNewShape !== undefined && opts.onNewShape !== 'error' && opts.onNewShape !== 'build') {
    throw new UsageError(`onNewShape must be 'error' or 'build', got '${String(opts.onNewShape)}'`);
  }
  if (engine === 'cpu' && device !== 'cpu') {
    throw new UsageError(`the cpu engine runs beside the framework on device cpu, not ${device}`, { hint: 'use --device cpu with --engine cpu' });
  }
  if (engine === 'cpu' && opts.precision !== undefined && opts.precision !== 'fp32') {
    throw new UsageError(`the cpu engine computes in fp32, not ${opts.precision}`, { hint: 'leave --precision at fp32 with --engine cpu, or use --engine webgpu for fp16 and int8' });
  }
  if (opts.precision === 'int8' && engine !== 'webgpu') {
    throw new UsageError('int8 runs in the webgpu engine', { hint: "use engine 'webgpu' (--device webgpu --engine webgpu); a QDQ model needs no int8 precision at all" });
  }
  if (opts.floatPrecision !== undefined && opts.precision !== 'int8') throw new UsageError(`float precision ${opts.floatPrecision} for the layers int8 does not take goes with precision int8`, { hint: 'add --precision int8 (and a calibration cache), or leave out --int8-float' });
  if (opts.calibration && opts.precision !== 'int8') throw new UsageError('a calibration cache goes with precision int8', { hint: 'add --precision int8, or leave out the cache' });
  if (opts.precision === 'int8' && opts.profiles?.length) {
    throw new UsageError('int8 precision does not combine with optimization profiles yet', { hint: 'run int8 at fixed input shapes, or the profiles in fp32/fp16' });
  }
  if (engine === 'webgpu' && device !== 'webgpu') {
    throw new UsageError(`the webgpu engine runs beside the framework on device webgpu, not ${device}`, { hint: 'use --device webgpu with --engine webgpu' });
  }
  return { device, engine };
}

/** Creates a session for a graph. The graph is verified and every node bound before returning. */
export async function createSession(graph: Graph, opts: SessionOptions = {}): Promise<Session> {
  const { device, engine } = checkSessionOptions(opts);
  if (opts.maxMemory !== undefined) checkMemoryBudget(opts.maxMemory);
  if (engine !== 'none') {
    // the engine compiles static-shape tensor graphs; control flow and strings keep it out
    const excluded = engineExclusionReason(graph);
    if (excluded) opts.notice?.(`the ${engine} engine is off for this graph because of ${excluded}: the framework runs it on device ${device}`);
    else if (!engineEnabledByEnvironment()) opts.notice?.('NNRT_USE_ENGINE=0: the engine is off; the framework runs the whole graph');
    else {
      // the engines take float32 tensors: an fp16 model computes in float32 there (the webgpu
      // engine storing fp16 unless told otherwise), its inputs and outputs still float16
      const widened = widenFloat16(graph);
      if (widened) {
        const precision = engine === 'webgpu' ? (opts.precision ?? 'fp16') : 'fp32';
        opts.notice?.(`the model computes in float16: the ${engine} engine takes it with float32 weights and ${precision} ${engine === 'webgpu' ? 'storage' : 'arithmetic'}; its float16 inputs and outputs are cast at the boundary`);
        graph = widened;
        if (engine === 'webgpu') opts = { ...opts, precision };
      }
      return engine === 'cpu' ? createCpuEngineSession(graph, opts) : createEngineSession(graph, opts);
    }
  }
  if (device === 'webgpu') return createGpuSession(graph, opts);
  if ((opts.cpuKernels ?? 'fast') === 'fast') await prepareWasmKernels();
  const exec = new CpuExecutor(graph, { maxLoopIterations: opts.maxLoopIterations, memoryBudget: opts.maxMemory, cpuKernels: opts.cpuKernels });
  // initializers never change: the fast kernels may keep their packed forms resident until dispose
  const constants = [...graph.initializers.values()].map((t) => t.data);
  markConstant(constants);
  return {
    graph,
    inputs: exec.inputs,
    outputs: graph.outputs,
    async run(feeds) {
      return exec.run(feeds);
    },
    async runValues(feeds) {
      return exec.runValues(feeds);
    },
    stats: () => ({ ...exec.lastStats, transfers: 0 }),
    dispose() {
      releaseResident(constants);
    },
  };
}

async function createGpuSession(graph: Graph, opts: SessionOptions): Promise<Session> {
  const hostReason = hostOnlyReason(graph);
  if (hostReason) return createHostSession(graph, opts, hostReason);
  const gpu = await sharedGpuDevice(opts.gpu ?? (await defaultGpu()), opts.gpuOptions);
  const exec = new GpuExecutor(graph, gpu, undefined, { memoryBudget: opts.maxMemory, maxLoopIterations: opts.maxLoopIterations, preEncode: opts.preEncode });
  return {
    graph,
    inputs: exec.inputs,
    outputs: graph.outputs,
    run: (feeds) => exec.run(feeds),
    runValues: (feeds) => exec.runValues(feeds),
    upload: (t) => uploadTensor(gpu, t),
    runOnDevice: (feeds: Record<string, DeviceFeed>, o?: RunOnDeviceOptions) => exec.runOnDevice(feeds, o),
    deviceDone: () => gpu.device.queue.onSubmittedWorkDone(),
    stats: () => {
      const { nodes, peakBytes, transfers, fallbacks, pipelines, submits } = exec.lastStats;
      return { nodes, peakBytes, transfers, webgpu: { fallbacks, pipelines, submits } };
    },
    dispose: () => exec.dispose(),
  };
}

/**
 * Device 'webgpu' for a graph with string tensors: the framework runs it on the CPU, and every node
 * is listed as a fallback with the reason.
 */
function createHostSession(graph: Graph, opts: SessionOptions, reason: string): Session {
  const exec = new CpuExecutor(graph, { maxLoopIterations: opts.maxLoopIterations, cpuKernels: opts.cpuKernels });
  opts.notice?.(`device webgpu: the graph runs on the host because of ${reason}`);
  const fallbacks = graph.nodes.map((n) => ({ node: n.name, op: n.opType, reason: `the graph runs on the host: ${reason}` }));
  return {
    graph,
    inputs: exec.inputs,
    outputs: graph.outputs,
    run: async (feeds) => exec.run(feeds),
    runValues: async (feeds) => exec.runValues(feeds),
    stats: () => ({ ...exec.lastStats, transfers: 0, webgpu: { fallbacks, pipelines: 0, submits: 0 } }),
    dispose() {},
  };
}

async function createCpuEngineSession(graph: Graph, opts: SessionOptions): Promise<Session> {
  checkBuilderConfig({ memoryBudget: opts.memoryBudget });
  if ((opts.cpuKernels ?? 'fast') === 'fast') await prepareWasmKernels();
  const session = new CpuEngineSession(graph, {
    minSubgraphSize: opts.minSubgraphSize, excludeOps: opts.excludeOps, excludeNodes: opts.excludeNodes,
  }, {
    timeTactics: opts.timeTactics, timingCache: opts.timingCache, memoryBudget: opts.memoryBudget, planStore: opts.planStore,
    log: opts.log, progress: opts.progress, warn: opts.notice,
  }, { maxLoopIterations: opts.maxLoopIterations, memoryBudget: opts.maxMemory, cpuKernels: opts.cpuKernels });
  let noticed = false;
  return {
    graph,
    inputs: session.inputs,
    outputs: graph.outputs,
    async run(feeds) {
      const out = session.run(feeds);
      const stats = session.engineStats();
      if (!noticed && stats && stats.partition.subgraphs.length === 0) {
        noticed = true;
        opts.notice?.('the cpu engine supports no subgraph of this model: it runs entirely in the framework');
      }
      return out;
    },
    layerTimes: async (reps) => session.layerTimes(reps),
    stats: () => ({ ...(session.executor?.lastStats ?? { nodes: 0, peakBytes: 0 }), transfers: 0, engine: session.engineStats() }),
    dispose: () => session.dispose(),
  };
}

async function createEngineSession(graph: Graph, opts: SessionOptions): Promise<Session> {
  // Engines are built at the first run; a bad precision or budget should fail here, not there.
  checkBuilderConfig({ precision: opts.precision, ...(opts.calibration ? { calibration: opts.calibration } : {}), ...(opts.floatPrecision ? { floatPrecision: opts.floatPrecision } : {}), layerPrecision: opts.layerPrecision, memoryBudget: opts.memoryBudget, tacticSources: opts.tacticSources });
  const gpu = await sharedGpuDevice(opts.gpu ?? (await defaultGpu()), opts.gpuOptions);
  const session = new EngineSession(graph, gpu, {
    minSubgraphSize: opts.minSubgraphSize, excludeOps: opts.excludeOps, excludeNodes: opts.excludeNodes,
  }, {
    precision: opts.precision, ...(opts.calibration ? { calibration: opts.calibration } : {}), ...(opts.floatPrecision ? { floatPrecision: opts.floatPrecision } : {}), layerPrecision: opts.layerPrecision, timeTactics: opts.timeTactics, timingCache: opts.timingCache,
    ...(opts.tacticSources ? { tacticSources: opts.tacticSources } : {}), memoryBudget: opts.memoryBudget, planStore: opts.planStore, log: opts.log, progress: opts.progress, warn: opts.notice,
  }, { memoryBudget: opts.maxMemory, preEncode: opts.preEncode }, { profiles: opts.profiles, onNewShape: opts.onNewShape });
  let noticed = false;
  return {
    graph,
    inputs: session.inputs,
    outputs: graph.outputs,
    async run(feeds) {
      const out = await session.run(feeds);
      const stats = session.engineStats();
      if (!noticed && stats && stats.partition.subgraphs.length === 0) {
        noticed = true;
        opts.notice?.('the webgpu engine supports no subgraph of this model: it runs entirely in the framework');
      }
      return out;
    },
    upload: (t) => uploadTensor(gpu, t),
    runOnDevice: (feeds, o) => session.runOnDevice(feeds, o),
    deviceDone: () => gpu.device.queue.onSubmittedWorkDone(),
    layerTimes: (reps) => session.layerTimes(reps),
    stats: () => {
      const exec = session.executor;
      const s = exec?.lastStats;
      return {
        nodes: s?.nodes ?? 0, peakBytes: s?.peakBytes ?? 0, transfers: s?.transfers ?? 0,
        ...(s ? { webgpu: { fallbacks: s.fallbacks, pipelines: s.pipelines, submits: s.submits } } : {}),
        engine: session.engineStats(),
      };
    },
    dispose: () => session.dispose(),
  };
}
