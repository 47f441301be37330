/// <reference types="@webgpu/types" />
// `nnrt demo` without the terminal: the MXNet TensorRT tutorial's comparison on the zoo's
// ResNet-18 v2 (seeded weights, no download) — the framework, the engine in fp32, the engine in
// fp16 — on the best device present, with warm-up and timed loops sized to about a minute, and
// every row's outputs compared with the framework's.
import { BENCH_TOLERANCE, compareOutputs, describeError } from '../bench/bench.js';
import { summarize, type Summary } from '../bench/stats.js';
import { timeRuns } from '../bench/timing.js';
import { sharedGpuDevice, type AdapterSummary } from '../devices/webgpu/device.js';
import { defaultGpu } from '../devices/webgpu/provider.js';
import type { BuildProgress } from '../engine/config.js';
import { DeviceError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { createSession, engineEnabledByEnvironment, type DeviceName, type SessionOptions } from '../runtime/session.js';
import type { Tolerance } from '../tensor/compare.js';
import { uniformTensor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { vision } from '../zoo/vision.js';

export interface DemoOptions {
  /** 'auto' (default): WebGPU when an adapter is present, else the CPU. */
  device?: DeviceName | 'auto';
  /** Timed runs per row; default: sized from the warm-up so a row takes about `rowTargetMs`. */
  runs?: number;
  /** Seed of the weights and the input (default 1). */
  seed?: number;
  /** The WebGPU implementation (default: the registered one, Dawn in Node). */
  gpu?: GPU;
  /** Called once the device and input are chosen, before any model runs. */
  started?: (info: Pick<DemoReport, 'parameters' | 'nodes' | 'setup'>) => void;
  progress?: (p: DemoProgress) => void;
  /** Notices: the device chosen instead of another, a smaller input, tactic timing off. */
  notice?: (line: string) => void;
}

export interface DemoProgress {
  row: string;
  phase: 'build' | 'warm-up' | 'timed';
  done: number;
  total: number;
  /** The engine build's phase and layer while building. */
  detail?: string;
}

/** Where and how the demo runs. */
export interface DemoSetup {
  device: DeviceName;
  adapter?: AdapterSummary;
  /** A software (fallback) adapter or the CPU: smaller input, fewer runs, tactic timing off. */
  slow: boolean;
  inputShape: number[];
  timeTactics: boolean;
  warmup: number;
  rowTargetMs: number;
}

export interface DemoEngineInfo {
  subgraphs: number;
  /** Model nodes the engines took, and the layers they became after fusion. */
  nodes: number;
  layers: number;
  /** Wall time of the first run: partition, build (or plan-store load), first inference. */
  buildMs: number;
  arenaBytes: number;
  naiveBytes: number;
}

export interface DemoRow {
  id: 'framework' | 'engine-cpu' | 'engine-fp32' | 'engine-fp16';
  label: string;
  /** Why the row did not run on this machine (the WebGPU engine without an adapter). */
  unavailable?: string;
  /** The error that stopped the row (a failed build or run): the demo fails. */
  error?: string;
  timing?: Summary;
  imagesPerSecond?: number;
  /** The framework row's median ÷ this row's median (above 1: faster). */
  speedup?: number;
  maxAbsDiff?: number;
  agree?: boolean;
  tolerance?: Tolerance;
  /** The model's output on the demo input (from the row's first run). */
  output?: Tensor;
  /** Index of the largest output of image 0. */
  top1?: number;
  engine?: DemoEngineInfo;
}

export interface DemoReport {
  model: string;
  /** The input every row ran on (seeded uniform values in [-1, 1)). */
  input: Tensor;
  parameters: number;
  nodes: number;
  setup: DemoSetup;
  rows: DemoRow[];
}

/** A software rasterizer (Mesa lavapipe, SwiftShader) or an adapter that says it is a fallback. */
export function isSlowAdapter(a: AdapterSummary): boolean {
  return a.isFallback || /llvmpipe|lavapipe|swiftshader|software/i.test(`${a.architecture} ${a.description}`);
}

/** The device to run on; `fellBack` says why it is the CPU when WebGPU was hoped for. */
async function chooseDevice(opts: DemoOptions): Promise<{ device: DeviceName; adapter?: AdapterSummary; fellBack?: string }> {
  const wanted = opts.device ?? 'auto';
  if (wanted === 'cpu') return { device: 'cpu' };
  try {
    const gpu = await sharedGpuDevice(opts.gpu ?? (await defaultGpu()));
    return { device: 'webgpu', adapter: gpu.adapter };
  } catch (e) {
    // 'auto' must work on a machine without a GPU, a Vulkan driver, or a loadable Dawn at all
    if (wanted === 'webgpu') throw e;
    const why = e instanceof DeviceError ? e.message : `WebGPU could not start: ${(e as Error)?.message ?? String(e)}`;
    return { device: 'cpu', fellBack: `${why}; the framework and the engine's CPU backend run on the CPU, the WebGPU engine rows are skipped` };
  }
}

function setupFor(device: DeviceName, adapter: AdapterSummary | undefined): DemoSetup {
  const slow = device === 'cpu' || (adapter !== undefined && isSlowAdapter(adapter));
  return {
    device, adapter, slow,
    inputShape: slow ? [1, 3, 64, 64] : [1, 3, 224, 224],
    // Timing every tactic of every layer takes minutes on a software adapter.
    timeTactics: !slow,
    warmup: slow ? 1 : 5,
    // three rows of ~15 s on a GPU; on a software adapter the builds and warm-ups take their share
    // too; on the CPU the framework and the CPU engine rows run
    rowTargetMs: slow ? (device === 'webgpu' ? 8000 : 12000) : 15000,
  };
}

const copyOutputs = (r: Record<string, Tensor>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(r).map(([k, t]) => [k, new Tensor(t.dtype, t.shape, t.data.slice() as typeof t.data)]));

/** The class with the largest score for image 0. */
function top1(t: Tensor): number {
  const v = t.numeric();
  const length = t.shape.at(-1) ?? v.length;
  let best = 0;
  for (let i = 1; i < length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/**
 * One row: a session (the engine rows build at the first run), warm-up and timed runs; fills in
 * the row's timing and engine figures and returns the outputs of the first run.
 */
async function measureRow(
  row: DemoRow, graph: Graph, feeds: Record<string, Tensor>, options: SessionOptions, setup: DemoSetup, opts: DemoOptions,
): Promise<Record<string, Tensor>> {
  const progress = (phase: DemoProgress['phase'], done: number, total: number, detail?: string) =>
    opts.progress?.({ row: row.label, phase, done, total, ...(detail ? { detail } : {}) });
  progress('build', 0, 1);
  const t0 = performance.now();
  const session = await createSession(graph, {
    ...options,
    progress: (p: BuildProgress) => progress('build', p.done, p.total, `${p.phase}${p.layer ? ` ${p.layer}` : ''}`),
  });
  try {
    // The first run builds the engines: partition, passes, tactics, memory plan, kernels.
    const first = copyOutputs(await session.run(feeds));
    const stats = session.stats().engine;
    if (stats) {
      row.engine = {
        subgraphs: stats.partition.subgraphs.length,
        nodes: stats.partition.subgraphs.reduce((a, s) => a + s.nodes.length, 0),
        layers: stats.engines.reduce((a, e) => a + e.layers, 0),
        buildMs: performance.now() - t0,
        arenaBytes: stats.engines.reduce((a, e) => a + e.arenaBytes, 0),
        naiveBytes: stats.engines.reduce((a, e) => a + e.naiveBytes, 0),
      };
    }
    const timed = await timeRuns(() => session.run(feeds), {
      warmup: setup.warmup, runs: opts.runs, targetMs: setup.rowTargetMs, minRuns: 3, maxRuns: 5000,
      onRun: (done, planned) => progress(done <= setup.warmup ? 'warm-up' : 'timed', done, planned),
    });
    row.timing = summarize(timed.times);
    row.imagesPerSecond = (setup.inputShape[0]! * 1000) / row.timing.median;
    return first;
  } finally {
    session.dispose();
  }
}

/** Runs the demo; rows that cannot run say why, and the others still run. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoReport> {
  const seed = opts.seed ?? 1;
  const { device, adapter, fellBack } = await chooseDevice(opts);
  const setup = setupFor(device, adapter);
  const net = vision.resnet18_v2().initialize({ seed });
  const graph = net.trace({ dtype: 'float32', shape: setup.inputShape });
  const x = uniformTensor(setup.inputShape, seed + 1000, -1, 1);
  const feeds = { [graph.inputs[0]!.name]: x };
  const outputName = graph.outputs[0]!.name;
  const parameters = [...graph.initializers.values()].reduce((a, t) => a + t.size, 0);
  opts.started?.({ parameters, nodes: graph.nodes.length, setup });
  if (fellBack) opts.notice?.(fellBack);
  if (setup.slow) {
    const where = device === 'cpu' ? 'the CPU' : 'a software adapter';
    opts.notice?.(`running on ${where}: input ${setup.inputShape.join('×')} instead of 1×3×224×224 and fewer runs, so the demo ends in about a minute${device === 'webgpu' ? '; tactic timing off' : ''}`);
  }

  const plans: { id: DemoRow['id']; label: string; options: SessionOptions }[] = [
    { id: 'framework', label: `framework (${device})`, options: { device } },
    // without WebGPU the engine's CPU backend shows the partition-and-fuse benefit instead
    ...(device === 'cpu' ? [{ id: 'engine-cpu' as const, label: 'engine cpu fp32', options: { device: 'cpu' as const, engine: 'cpu' as const } }] : []),
    { id: 'engine-fp32', label: 'engine fp32', options: { device: 'webgpu', engine: 'webgpu', precision: 'fp32', timeTactics: setup.timeTactics } },
    { id: 'engine-fp16', label: 'engine fp16', options: { device: 'webgpu', engine: 'webgpu', precision: 'fp16', timeTactics: setup.timeTactics } },
  ];
  const rows: DemoRow[] = [];
  let reference: Record<string, Tensor> | undefined;
  for (const plan of plans) {
    const row: DemoRow = { id: plan.id, label: plan.label };
    rows.push(row);
    if (plan.options.engine === 'webgpu' && device !== 'webgpu') {
      row.unavailable = `the engine runs on WebGPU; ${opts.device === 'cpu' ? 'not asked for (--device cpu)' : 'no adapter here'}`;
      continue;
    }
    if (plan.options.engine !== undefined && !engineEnabledByEnvironment()) {
      row.unavailable = 'NNRT_USE_ENGINE=0 turns the engine off';
      continue;
    }
    try {
      const first = await measureRow(row, graph, feeds, { ...plan.options, gpu: opts.gpu, notice: opts.notice }, setup, opts);
      row.output = first[outputName]!;
      row.top1 = top1(row.output);
      if (!reference) {
        reference = first;
      } else {
        row.tolerance = BENCH_TOLERANCE[plan.options.precision === 'fp16' ? 'fp16' : 'fp32'];
        const c = compareOutputs(first, reference, row.tolerance);
        row.maxAbsDiff = c.maxAbsDiff;
        row.agree = c.agree;
      }
    } catch (e) {
      if (plan.id === 'framework') throw e;
      row.error = describeError(e);
    }
  }
  const base = rows[0]!.timing?.median;
  for (const r of rows) if (r.timing && base) r.speedup = base / r.timing.median;
  return { model: 'resnet18_v2', input: x, parameters, nodes: graph.nodes.length, setup, rows };
}

/** True when no row failed and every row that ran agrees with the framework. */
export const demoSucceeded = (r: DemoReport): boolean => r.rows.every((row) => row.error === undefined && row.agree !== false);
