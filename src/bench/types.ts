// The vocabulary of `nnrt bench`: a model prepared once, runners that time it, and the report.
import type { Graph } from '../ir/graph.js';
import type { SubgroupMatrixConfig } from '../devices/webgpu/device.js';
import type { GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Tolerance } from '../tensor/compare.js';
import type { Summary } from './stats.js';
import type { EngineLayerTimes } from '../engine/layer-profile.js';

export type { EngineLayerTimes };

/** The engine's storage precision of a row; int8 is implicit quantization with a calibration cache. */
export type Precision = 'fp32' | 'fp16' | 'int8';

/**
 * How a run is timed. 'e2e': inputs handed over as host tensors, outputs read back to the host.
 * 'resident': inputs uploaded to the device once before timing, outputs left on the device (as
 * PyTorch is usually timed, with tensors already on the GPU); each run still waits for the device.
 * 'stream': as resident, but runs go to the device back to back: each is submitted without
 * waiting for it and waits for the one before it instead (two in flight, as trtexec times
 * throughput), so a run's time is the interval between runs finishing.
 */
export type TimingMode = 'e2e' | 'resident' | 'stream';
export const TIMING_MODES: readonly TimingMode[] = ['e2e', 'resident', 'stream'];

/** A model as every runner sees it: the same ONNX bytes, the same seeded inputs. */
export interface BenchModel {
  /** A zoo name ('resnet18_v2') or a name derived from the file. */
  name: string;
  source: 'zoo' | 'file';
  /** The ONNX model the peers load (a zoo model's export at the bench batch). */
  onnx: Uint8Array;
  /** The file, when the model came from one (onnxruntime-node reads external data beside it). */
  path?: string;
  /** A fresh IR graph of the same model with concrete input shapes (one per nnrt session). */
  loadGraph(): Graph;
  /** Profile benches: a fresh graph with the model's symbolic dims (the profile rows' session). */
  loadSymbolicGraph?(): Graph;
  /** Seeded inputs by graph input name, shared by every runner. */
  inputs: Record<string, Tensor>;
  batch: number;
  /** Number of weights (sum of initializer sizes). */
  parameters: number;
}

/** One way of running a model: an nnrt configuration or a peer runtime, in one timing mode. */
export interface RunnerSpec {
  /** Stable id used by --baseline and in JSON, e.g. 'nnrt-webgpu-engine-fp16', 'ort-node', 'nnrt-webgpu-resident'. */
  id: string;
  /** What the table shows, e.g. 'nnrt webgpu+engine fp16', 'onnxruntime-node cpu (16 threads)'. */
  label: string;
  kind: 'nnrt' | 'peer';
  device: string;
  engine: string;
  precision: Precision;
  mode: TimingMode;
}

/**
 * A runner with its model loaded: one call runs one inference, in its mode — end to end (host
 * tensors in, host tensors out), or resident (device inputs in, outputs left on the device,
 * resolved once the device has finished).
 */
export interface PreparedRunner {
  run(): Promise<Record<string, Tensor | GpuTensor>>;
  dispose(): Promise<void> | void;
  /** Engine rows: per-layer GPU times of each engine (after the timed runs). */
  layerTimes?(): Promise<EngineLayerTimes[]>;
  /** Profile rows: the session's builds and specializations so far (after the timed runs). */
  profileStats?(): ProfileRowStats | undefined;
}

/** A profile row's engine work: builds (tactics timed) and partitions stay at one per profile; other shapes are specializations. */
export interface ProfileRowStats {
  builds: number;
  partitions: number;
  specializations: number;
  specializationMs: number;
  /** The profile this row's shape ran on. */
  profile?: number;
}

export interface Runner extends RunnerSpec {
  /** Loads the model; throws (a typed NnrtError where it can) when this runner cannot run it. */
  prepare(model: BenchModel): Promise<PreparedRunner>;
}

/** A runtime configuration before a timing mode is chosen: makes the runner of each mode it has. */
export interface RunnerFactory {
  /** The timing modes it can be measured in ('resident' only where the device is not the host's memory). */
  modes: readonly TimingMode[];
  runner(mode: TimingMode): Runner;
}

/** One table row: a runner on a model, timed, or n/a with the reason. */
export interface BenchRow extends RunnerSpec {
  status: 'ok' | 'n/a';
  /** Why the row has no figures (status 'n/a'). */
  reason?: string;
  /** The stack of a failure that is a bug in a runner (not an NnrtError), for the report. */
  stack?: string;
  warmup?: number;
  /** Timed runs and their statistics, in milliseconds. */
  timing?: Summary;
  /** Images (batch items) per second at the median latency. */
  throughput?: number;
  /** This row's median ÷ the fastest row's median: 1 for the fastest row, 7.2 for a row 7.2× slower. */
  slowdownVsFastest?: number;
  /** The baseline row's median ÷ this row's median: above 1 this row is faster (only with --baseline). */
  speedupVsBaseline?: number;
  /** Largest |this − reference| over every output element; 0 for the reference row itself. */
  maxAbsDiff?: number;
  /** Outputs within `tolerance` of the reference runner's outputs (int8 rows: cosine similarity of every float output ≥ `minCosine`). */
  agree?: boolean;
  tolerance?: Tolerance;
  minCosine?: number;
  /** Why the outputs could not be compared numerically (a missing output, another shape). */
  mismatch?: string;
  /** Every timed run in milliseconds, in the order they ran. */
  times?: number[];
  /**
   * Milliseconds from preparing the row to its first result: session creation and the first run,
   * where an nnrt engine session partitions and builds (or loads) its engines — a cold start.
   */
  /** With --steady-ms: the whole warm-up's length and whether the runs settled within it (see TimingOptions.steadyMs). */
  steady?: { warmupMs: number; settled: boolean };
  startupMs?: number;
  /** Engine rows with --layer-times: each engine's layers, slowest first. */
  layerTimes?: EngineLayerTimes[];
  /** Profile rows: the session's engine work after this row (cumulative over the shapes timed so far). */
  profileStats?: ProfileRowStats;
  /** Profile rows with --compare-static: this row's median ÷ the engine built at this shape's (above 1: slower). */
  vsStatic?: number;
}

export interface ModelReport {
  model: string;
  source: 'zoo' | 'file';
  batch: number;
  inputs: { name: string; shape: number[]; dtype: string }[];
  parameters: number;
  /** The runner every row's outputs are compared with (the first nnrt row that ran). */
  reference?: string;
  /** The row with the smallest median (what slowdownVsFastest is relative to). */
  fastest?: string;
  /** The row speedupVsBaseline is relative to (with --baseline). */
  baseline?: string;
  rows: BenchRow[];
}

export interface HardwareInfo {
  cpu: string;
  cores: number;
  /** nnrt's CPU kernels: their instruction set (kernel-binaries.ts) and thread count. */
  cpuKernels?: { simd: string; threads: number };
  /** The WebGPU adapter nnrt used, when a webgpu row ran ('vendor architecture (description)'). */
  gpu?: string;
  /** Its optional features that kernels specialize on (DeviceCaps). */
  gpuFeatures?: { shaderF16: boolean; subgroupMatrix: SubgroupMatrixConfig[] };
  platform: string;
  node: string;
}

/** The whole run: what `--json` writes. */
export interface BenchReport {
  tool: 'nnrt bench';
  nnrt: string;
  date: string;
  hardware: HardwareInfo;
  settings: {
    batch?: number; warmup: number; warmupMs?: number; steadyMs?: number; runs: number | 'auto'; targetMsPerRow: number; seed: number; modes: TimingMode[]; timing: string;
    /** --turns: rows took turns in this many rounds. */
    turns?: number;
    /** Profile benches: the optimization profiles, and the shape sets timed (one model report each). */
    profiles?: Record<string, { min: readonly number[]; opt: readonly number[]; max: readonly number[] }>[];
    shapes?: Record<string, number[]>[];
  };
  models: ModelReport[];
}
