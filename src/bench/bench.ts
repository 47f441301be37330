// Runs every runner on every model, one model in memory at a time: times each row, compares every
// row's outputs with the reference row's, and computes ratios against the baseline row.
import { NnrtError } from '../errors.js';
import { compareTensors, type Tolerance } from '../tensor/compare.js';
import { Tensor } from '../tensor/tensor.js';
import { summarize } from './stats.js';
import { timeRuns, type TimingOptions } from './timing.js';
import type { BenchModel, BenchRow, ModelReport, Precision, Runner } from './types.js';

/** Default agreement tolerances: fp16 storage keeps about 3 decimal digits per layer. */
export const BENCH_TOLERANCE: Record<Precision, Tolerance> = {
  fp32: { atol: 1e-3, rtol: 1e-3 },
  fp16: { atol: 3e-2, rtol: 3e-2 },
};

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
  /** Runner id the ratios are relative to (default: the reference row). */
  baseline?: string;
  /** Overrides the per-precision default tolerances. */
  tolerance?: Tolerance;
  progress?: BenchProgress;
}

/** 'UnsupportedError: …' for nnrt's typed errors; the message, with the class when it is not a plain Error. */
export function describeError(e: unknown): string {
  if (e instanceof NnrtError) return `${e.name}: ${e.message}`;
  if (e instanceof Error) return e.constructor === Error ? e.message : `${e.name}: ${e.message}`;
  return String(e);
}

const cloneOutputs = (r: Record<string, Tensor>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(r).map(([k, t]) => [k, new Tensor(t.dtype, t.shape, t.data.slice() as typeof t.data)]));

/** The largest absolute difference over all outputs, and whether each is within tolerance. */
export function compareOutputs(got: Record<string, Tensor>, want: Record<string, Tensor>, tol: Tolerance): { maxAbsDiff: number; agree: boolean; reason?: string } {
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
    if (!c.pass) {
      agree = false;
      if (c.reason) reason ??= `output '${name}': ${c.reason}`;
    }
  }
  return reason === undefined ? { maxAbsDiff, agree } : { maxAbsDiff, agree, reason };
}

async function timeRow(model: BenchModel, runner: Runner, o: BenchOptions): Promise<{ row: BenchRow; first?: Record<string, Tensor> }> {
  // read after prepare: a peer's label names the version it loaded
  const spec = () => ({ id: runner.id, label: runner.label, kind: runner.kind, device: runner.device, engine: runner.engine, precision: runner.precision });
  try {
    const prepared = await runner.prepare(model);
    try {
      const t = await timeRuns(() => prepared.run(), { ...o.timing, onRun: o.progress?.run }, cloneOutputs);
      const timing = summarize(t.times);
      return {
        row: { ...spec(), status: 'ok', warmup: o.timing.warmup, timing, throughput: (model.batch * 1000) / timing.median, times: t.times },
        first: t.first,
      };
    } finally {
      await prepared.dispose();
    }
  } catch (e) {
    return { row: { ...spec(), status: 'n/a', reason: describeError(e) } };
  }
}

/** Times every runner on one model and fills in agreement and ratios. */
export async function benchModel(model: BenchModel, runners: readonly Runner[], o: BenchOptions, rowIndex = 0, totalRows = runners.length): Promise<ModelReport> {
  const rows: BenchRow[] = [];
  const outputs = new Map<string, Record<string, Tensor>>();
  for (const [i, runner] of runners.entries()) {
    o.progress?.rowStart?.(model.name, runner, rowIndex + i, totalRows);
    const { row, first } = await timeRow(model, runner, o);
    rows.push(row);
    if (first) outputs.set(row.id, first);
  }
  const ran = rows.filter((r) => r.status === 'ok');
  const reference = ran.find((r) => r.kind === 'nnrt') ?? ran[0];
  const baseline = (o.baseline !== undefined ? ran.find((r) => r.id === o.baseline) : undefined) ?? reference;
  for (const r of ran) {
    if (reference) {
      r.tolerance = o.tolerance ?? BENCH_TOLERANCE[r.precision === 'fp16' || reference.precision === 'fp16' ? 'fp16' : 'fp32'];
      const c = compareOutputs(outputs.get(r.id)!, outputs.get(reference.id)!, r.tolerance);
      r.maxAbsDiff = c.maxAbsDiff;
      r.agree = c.agree;
      if (c.reason) r.mismatch = c.reason;
    }
    if (baseline) r.ratio = r.timing!.median / baseline.timing!.median;
  }
  const report: ModelReport = {
    model: model.name,
    source: model.source,
    batch: model.batch,
    inputs: Object.entries(model.inputs).map(([name, t]) => ({ name, shape: [...t.shape], dtype: t.dtype })),
    parameters: model.parameters,
    rows,
  };
  if (reference) report.reference = reference.id;
  if (baseline) report.baseline = baseline.id;
  return report;
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
