// The vocabulary of `nnrt bench`: a model prepared once, runners that time it, and the report.
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Tolerance } from '../tensor/compare.js';
import type { Summary } from './stats.js';

export type Precision = 'fp32' | 'fp16';

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
  /** Seeded inputs by graph input name, shared by every runner. */
  inputs: Record<string, Tensor>;
  batch: number;
  /** Number of weights (sum of initializer sizes). */
  parameters: number;
}

/** One way of running a model: an nnrt configuration or a peer runtime. */
export interface RunnerSpec {
  /** Stable id used by --baseline and in JSON, e.g. 'nnrt-webgpu-engine-fp16', 'ort-node-cpu'. */
  id: string;
  /** What the table shows, e.g. 'nnrt webgpu+engine fp16', 'onnxruntime-node cpu (16 threads)'. */
  label: string;
  kind: 'nnrt' | 'peer';
  device: string;
  engine: string;
  precision: Precision;
}

/** A runner with its model loaded: one call runs an inference end to end (inputs in, outputs read back). */
export interface PreparedRunner {
  run(): Promise<Record<string, Tensor>>;
  dispose(): Promise<void> | void;
}

export interface Runner extends RunnerSpec {
  /** Loads the model; throws (a typed NnrtError where it can) when this runner cannot run it. */
  prepare(model: BenchModel): Promise<PreparedRunner>;
}

/** One table row: a runner on a model, timed, or n/a with the reason. */
export interface BenchRow extends RunnerSpec {
  status: 'ok' | 'n/a';
  /** Why the row has no figures (status 'n/a'). */
  reason?: string;
  warmup?: number;
  /** Timed runs and their statistics, in milliseconds. */
  timing?: Summary;
  /** Images (batch items) per second at the median latency. */
  throughput?: number;
  /** median ÷ the baseline row's median (below 1: faster than the baseline). */
  ratio?: number;
  /** Largest |this − reference| over every output element; 0 for the reference row itself. */
  maxAbsDiff?: number;
  /** Outputs within `tolerance` of the reference runner's outputs. */
  agree?: boolean;
  tolerance?: Tolerance;
  /** Why the outputs could not be compared numerically (a missing output, another shape). */
  mismatch?: string;
  /** Every timed run in milliseconds, in the order they ran. */
  times?: number[];
}

export interface ModelReport {
  model: string;
  source: 'zoo' | 'file';
  batch: number;
  inputs: { name: string; shape: number[]; dtype: string }[];
  parameters: number;
  /** The runner every row's outputs are compared with (the first nnrt row that ran). */
  reference?: string;
  /** The runner every row's ratio is relative to. */
  baseline?: string;
  rows: BenchRow[];
}

export interface HardwareInfo {
  cpu: string;
  cores: number;
  /** The WebGPU adapter nnrt used, when a webgpu row ran ('vendor architecture (description)'). */
  gpu?: string;
  platform: string;
  node: string;
}

/** The whole run: what `--json` writes. */
export interface BenchReport {
  tool: 'nnrt bench';
  nnrt: string;
  date: string;
  hardware: HardwareInfo;
  settings: { batch?: number; warmup: number; runs: number | 'auto'; targetMsPerRow: number; seed: number; timing: string };
  models: ModelReport[];
}
