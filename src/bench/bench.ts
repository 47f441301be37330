// Runs every runner on every model, one model in memory at a time: times each row, compares every
// row's outputs with the reference row's, and says how each row's speed compares with the fastest
// row's (and the baseline row's, when one is named).
import { isGpuTensor, type GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import { NnrtError } from '../errors.js';
import { compareTensors, type Tolerance } from '../tensor/compare.js';
import { Tensor } from '../tensor/tensor.js';
import { summarize } from './stats.js';
import { runsFor, timeRuns, type TimingOptions } from './timing.js';
import type { BenchModel, BenchRow, ModelReport, Precision, Runner, RunnerFactory, TimingMode } from './types.js';

/** Default agreement tolerances: fp16 storage keeps about 3 decimal digits per layer. */
export const BENCH_TOLERANCE: Record<Exclude<Precision, 'int8'>, Tolerance> = {
  fp32: { atol: 1e-3, rtol: 1e-3 },
  fp16: { atol: 3e-2, rtol: 3e-2 },
};

/**
 * int8 rows carry the quantization noise, which no element tolerance bounds in general: they
 * agree when every float output's cosine similarity with the reference is at least this.
 */
export const INT8_MIN_COSINE = 0.99;

export interface ModelSource {
  name: string;
  /** Builds or reads the model (called when its turn comes, so one model is in memory at a time). */
  load(): Promise<BenchModel> | BenchModel;
}

export interface BenchProgress {
  /** A model is being loaded (or exported). */
  loading?(model: string): void;
  /** A row starts; `index` counts rows over all models. */
  rowStart?(model: string, runner: Runner, index: number, total: number): void;
  /** A run of the current row finished. */
  run?(done: number, planned: number): void;
}

export interface BenchOptions {
  timing: TimingOptions;
  /** Row id that speedupVsBaseline is relative to (none by default). */
  baseline?: string;
  /** Overrides the per-precision default tolerances. */
  tolerance?: Tolerance;
  progress?: BenchProgress;
  /** Also profile each engine row's layers after timing it (`--layer-times`). */
  layerTimes?: boolean;
  /**
   * Rows take turns (`--turns N`, N ≥ 2): every row is prepared and warmed up, then N rounds each
   * give every row its share of the timed runs, so a slow spell of a shared machine falls on all
   * rows alike (ratios between rows hold) instead of on whichever row was timing then.
   */
  turns?: number;
}

/** Milliseconds between one row's turn and the next's (not timed): another runtime's threads stop spinning. */
const TURN_GAP_MS = 20;

/** 'UnsupportedError: …' for nnrt's typed errors; the message, with the class when it is not a plain Error. */
/**
 * The stack of an error that is not an NnrtError (a bug, not bad input or a refusal), kept in the
 * row's JSON (`stack`) so that a failure on a remote machine can be traced from its report.
 */
function bugStack(e: unknown): { stack?: string } {
  return e instanceof Error && !(e instanceof NnrtError) && e.stack ? { stack: e.stack } : {};
}

export function describeError(e: unknown): string {
  if (e instanceof NnrtError) return `${e.name}: ${e.message}`;
  if (e instanceof Error) return e.constructor === Error ? e.message : `${e.name}: ${e.message}`;
  return String(e);
}

/** Host copies of a run's outputs (read back from the device where they were left there). */
async function hostOutputs(r: Record<string, Tensor | GpuTensor>): Promise<Record<string, Tensor>> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(r)) out[k] = isGpuTensor(t) ? await t.read() : new Tensor(t.dtype, t.shape, t.data.slice() as typeof t.data);
  return out;
}

/** The largest absolute difference over all outputs, and whether each is within tolerance. */
export function compareOutputs(got: Record<string, Tensor>, want: Record<string, Tensor>, tol: Tolerance, minCosine?: number): { maxAbsDiff: number; agree: boolean; reason?: string } {
  let maxAbsDiff = 0;
  let agree = true;
  let reason: string | undefined;
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (!g) {
      agree = false;
      reason ??= `output '${name}' is missing`;
      continue;
    }
    const c = compareTensors(g, w, tol);
    maxAbsDiff = Math.max(maxAbsDiff, c.maxAbsError);
    const pass = minCosine === undefined || c.reason ? c.pass : c.cosine === undefined || c.cosine >= minCosine;
    if (!pass) {
      agree = false;
      if (c.reason) reason ??= `output '${name}': ${c.reason}`;
      else if (minCosine !== undefined) reason ??= `output '${name}': cosine similarity ${c.cosine?.toFixed(4)} < ${minCosine}`;
    }
  }
  return reason === undefined ? { maxAbsDiff, agree } : { maxAbsDiff, agree, reason };
}

async function timeRow(model: BenchModel, runner: Runner, o: BenchOptions): Promise<{ row: BenchRow; first?: Record<string, Tensor> }> {
  // read after prepare: a peer's label names the version it loaded
  const spec = () => ({ id: runner.id, label: runner.label, kind: runner.kind, device: runner.device, engine: runner.engine, precision: runner.precision, mode: runner.mode });
  try {
    const t0 = performance.now();
    const prepared = await runner.prepare(model);
    const prepareMs = performance.now() - t0;
    try {
      const t = await timeRuns(() => prepared.run(), { ...o.timing, onRun: o.progress?.run }, hostOutputs);
      const timing = summarize(t.times);
      const layerTimes = o.layerTimes && prepared.layerTimes ? await prepared.layerTimes() : undefined;
      const profileStats = prepared.profileStats?.();
      return {
        row: { ...spec(), status: 'ok', warmup: o.timing.warmup, timing, throughput: (model.batch * 1000) / timing.median, times: t.times, startupMs: prepareMs + t.firstMs, ...(t.steady ? { steady: t.steady } : {}), ...(layerTimes ? { layerTimes } : {}), ...(profileStats ? { profileStats } : {}) },
        first: t.first,
      };
    } finally {
      await prepared.dispose();
    }
  } catch (e) {
    return { row: { ...spec(), status: 'n/a', reason: describeError(e), ...bugStack(e) } };
  }
}

/**
 * timeRow for every runner at once, in turns (BenchOptions.turns): all prepared and warmed up,
 * then each round runs each row its share of the timed runs (the count sized from the warm-up as
 * timeRuns does, the same for every round), with a short untimed gap between rows.
 */
async function timeRowsInTurns(
  model: BenchModel, runners: readonly Runner[], o: BenchOptions, rowIndex: number, totalRows: number,
): Promise<{ row: BenchRow; first?: Record<string, Tensor> }[]> {
  const turns = o.turns!;
  const spec = (runner: Runner) => ({ id: runner.id, label: runner.label, kind: runner.kind, device: runner.device, engine: runner.engine, precision: runner.precision, mode: runner.mode });
  const live: { runner: Runner; prepared: Awaited<ReturnType<Runner['prepare']>>; times: number[]; first?: Record<string, Tensor>; perTurn: number; startupMs: number }[] = [];
  const failed = new Map<Runner, BenchRow>();
  const gap = () => new Promise((r) => setTimeout(r, TURN_GAP_MS));
  try {
    for (const [i, runner] of runners.entries()) {
      o.progress?.rowStart?.(model.name, runner, rowIndex + i, totalRows);
      try {
        const t0 = performance.now();
        const prepared = await runner.prepare(model);
        const prepareMs = performance.now() - t0;
        // warm-up and one run to size the row (its result is the one compared), not counted
        const warm = await timeRuns(() => prepared.run(), { ...o.timing, runs: 1, onRun: o.progress?.run }, hostOutputs);
        const runs = o.timing.runs ?? runsFor(warm.times[0]!, o.timing);
        live.push({ runner, prepared, times: [], first: warm.first, perTurn: Math.max(1, Math.ceil(runs / turns)), startupMs: prepareMs + warm.firstMs });
      } catch (e) {
        failed.set(runner, { ...spec(runner), status: 'n/a', reason: describeError(e), ...bugStack(e) });
      }
    }
    for (let t = 0; t < turns; t++) {
      for (const r of live) {
        await gap();
        const { times } = await timeRuns(() => r.prepared.run(), { ...o.timing, warmup: 0, runs: r.perTurn });
        r.times.push(...times);
      }
    }
    const done = new Map<Runner, { row: BenchRow; first?: Record<string, Tensor> }>();
    for (const r of live) {
      const timing = summarize(r.times);
      const layerTimes = o.layerTimes && r.prepared.layerTimes ? await r.prepared.layerTimes() : undefined;
      const profileStats = r.prepared.profileStats?.();
      done.set(r.runner, {
        row: { ...spec(r.runner), status: 'ok', warmup: o.timing.warmup, timing, throughput: (model.batch * 1000) / timing.median, times: r.times, startupMs: r.startupMs, ...(layerTimes ? { layerTimes } : {}), ...(profileStats ? { profileStats } : {}) },
        first: r.first,
      });
    }
    return runners.map((runner) => done.get(runner) ?? { row: failed.get(runner)! });
  } finally {
    for (const r of live) await r.prepared.dispose();
  }
}

/**
 * How each timed row's median compares with the fastest row's (slowdownVsFastest ≥ 1) and, when
 * `baseline` names a timed row, with the baseline's (speedupVsBaseline > 1: faster than it).
 */
export function compareSpeeds(rows: BenchRow[], baseline?: string): { fastest?: string; baseline?: string } {
  const ran = rows.filter((r) => r.status === 'ok' && r.timing);
  if (ran.length === 0) return {};
  const fastest = ran.reduce((a, b) => (b.timing!.median < a.timing!.median ? b : a));
  const base = baseline !== undefined ? ran.find((r) => r.id === baseline) : undefined;
  for (const r of ran) {
    r.slowdownVsFastest = r.timing!.median / fastest.timing!.median;
    if (base) r.speedupVsBaseline = base.timing!.median / r.timing!.median;
  }
  return { fastest: fastest.id, ...(base ? { baseline: base.id } : {}) };
}

/** Times every runner on one model and fills in agreement and speed comparisons. */
export async function benchModel(model: BenchModel, runners: readonly Runner[], o: BenchOptions, rowIndex = 0, totalRows = runners.length): Promise<ModelReport> {
  const rows: BenchRow[] = [];
  const outputs = new Map<string, Record<string, Tensor>>();
  if ((o.turns ?? 1) > 1) {
    for (const { row, first } of await timeRowsInTurns(model, runners, o, rowIndex, totalRows)) {
      rows.push(row);
      if (first) outputs.set(row.id, first);
    }
  }
  for (const [i, runner] of (o.turns ?? 1) > 1 ? [] : runners.entries()) {
    o.progress?.rowStart?.(model.name, runner, rowIndex + i, totalRows);
    const { row, first } = await timeRow(model, runner, o);
    rows.push(row);
    if (first) outputs.set(row.id, first);
  }
  const ran = rows.filter((r) => r.status === 'ok');
  const reference = ran.find((r) => r.kind === 'nnrt') ?? ran[0];
  for (const r of ran) {
    if (reference) {
      r.tolerance = o.tolerance ?? BENCH_TOLERANCE[r.precision === 'fp16' || reference.precision === 'fp16' ? 'fp16' : 'fp32'];
      const int8 = r.precision === 'int8' || reference.precision === 'int8';
      if (int8) r.minCosine = INT8_MIN_COSINE;
      const c = compareOutputs(outputs.get(r.id)!, outputs.get(reference.id)!, r.tolerance, int8 ? INT8_MIN_COSINE : undefined);
      r.maxAbsDiff = c.maxAbsDiff;
      r.agree = c.agree;
      if (c.reason) r.mismatch = c.reason;
    }
  }
  const speeds = compareSpeeds(rows, o.baseline);
  const report: ModelReport = {
    model: model.name,
    source: model.source,
    batch: model.batch,
    inputs: Object.entries(model.inputs).map(([name, t]) => ({ name, shape: [...t.shape], dtype: t.dtype })),
    parameters: model.parameters,
    rows,
  };
  if (reference) report.reference = reference.id;
  Object.assign(report, speeds);
  return report;
}

/**
 * The rows of a run: each configuration in each asked-for mode it has, in order; a configuration
 * that has none of them keeps one row in the first asked-for mode, to show as n/a with the reason.
 */
export function runnersInModes(factories: readonly RunnerFactory[], modes: readonly TimingMode[]): Runner[] {
  return factories.flatMap((f) => {
    const own = modes.filter((m) => f.modes.includes(m));
    return (own.length ? own : modes.slice(0, 1)).map((m) => f.runner(m));
  });
}

/** Every model in turn (loaded when its turn comes); a model that fails to load stops the bench. */
export async function benchModels(sources: readonly ModelSource[], runners: readonly Runner[], o: BenchOptions): Promise<ModelReport[]> {
  const out: ModelReport[] = [];
  const total = sources.length * runners.length;
  for (const [k, src] of sources.entries()) {
    o.progress?.loading?.(src.name);
    const model = await src.load();
    out.push(await benchModel(model, runners, o, k * runners.length, total));
  }
  return out;
}
