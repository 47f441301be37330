// The timing loop every runner goes through: warm-up runs, then timed runs, each measured around
// one `run()` call (for nnrt and the peers alike; what a call includes is the runner's mode).

export interface TimingOptions {
  warmup: number;
  /**
   * Warm-up goes on past `warmup` runs until this many milliseconds have passed (as trtexec's
   * --warmUp): a GPU's clocks rise only after some sustained load (an H100 idles at 345 MHz and
   * took ~1 s to reach 1,980), and JIT tiers settle. 0: the run count alone.
   */
  warmupMs?: number;
  /**
   * After the warm-up, keep warming up (for at most this many milliseconds) until two consecutive
   * windows of runs (each at least 10 runs and 250 ms) have medians within 3% of each other: a GPU
   * that raises its clocks in steps over seconds (the H100 under a run-and-wait load) is then
   * timed at the clock it settles at, not at a mix. 0 or undefined: off.
   */
  steadyMs?: number;
  /** Timed runs; undefined sizes them so the row takes about `targetMs`. */
  runs?: number;
  targetMs: number;
  minRuns: number;
  maxRuns: number;
  /** Called after every run (warm-up or timed) with how many are done out of how many planned. */
  onRun?: (done: number, planned: number) => void;
  /** Milliseconds from some origin; `performance.now` unless a test drives a virtual clock. */
  clock?: () => number;
}

export const DEFAULT_TIMING: TimingOptions = { warmup: 3, warmupMs: 500, targetMs: 3000, minRuns: 5, maxRuns: 500 };

export interface Timed<R> {
  /** Milliseconds of every timed run, in order. */
  times: number[];
  /** The result of the first run (used to compare outputs between runners). */
  first: R;
  /** Milliseconds of the first run, warm-up or timed (an nnrt engine session builds its engine there). */
  firstMs: number;
  /** With steadyMs: how long the whole warm-up took, and whether the runs settled before steadyMs ran out. */
  steady?: { warmupMs: number; settled: boolean };
}

const WINDOW_RUNS = 10;
const WINDOW_MS = 250;
const SETTLED = 0.03;

/** Runs windows of runs until two in a row agree (medians within SETTLED) or `budgetMs` passes; whether they agreed. */
async function settle(once: () => Promise<number>, budgetMs: number, onRun: () => void, now: () => number): Promise<boolean> {
  const start = now();
  let last: number | undefined;
  while (now() - start < budgetMs) {
    const times: number[] = [];
    const w0 = now();
    while (times.length < WINDOW_RUNS || now() - w0 < WINDOW_MS) {
      times.push(await once());
      onRun();
    }
    const med = [...times].sort((a, b) => a - b)[times.length >> 1]!;
    if (last !== undefined && Math.abs(med - last) <= SETTLED * last) return true;
    last = med;
  }
  return false;
}

/** How many timed runs fill `targetMs` when one takes `estimateMs`, within [minRuns, maxRuns]. */
export function runsFor(estimateMs: number, o: Pick<TimingOptions, 'targetMs' | 'minRuns' | 'maxRuns'>): number {
  const n = estimateMs > 0 ? Math.ceil(o.targetMs / estimateMs) : o.maxRuns;
  return Math.min(o.maxRuns, Math.max(o.minRuns, n));
}

/**
 * Runs `run` warm-up + timed times. `keep` copies the first result to the host outside the timed
 * region (runtimes may reuse output buffers, so later runs could overwrite it).
 */
export async function timeRuns<R, K = R>(run: () => Promise<R>, o: TimingOptions, keep: (r: R) => K | Promise<K> = (r) => r as unknown as K): Promise<Timed<K>> {
  const now = o.clock ?? (() => performance.now());
  let first: { value: K; ms: number } | undefined;
  const once = async (): Promise<number> => {
    const t0 = now();
    const r = await run();
    const ms = now() - t0;
    first ??= { value: await keep(r), ms };
    return ms;
  };
  // until the run count is known, plan for the minimum
  let planned = o.warmup + (o.runs ?? o.minRuns);
  let done = 0;
  let lastWarm: number | undefined;
  const warmStart = now();
  for (let i = 0; i < o.warmup || (o.warmup > 0 && now() - warmStart < (o.warmupMs ?? 0)); i++) {
    lastWarm = await once();
    if (i >= o.warmup) planned++;
    o.onRun?.(++done, planned);
  }
  let steady: Timed<K>['steady'];
  if (o.steadyMs && o.warmup > 0) {
    const settled = await settle(async () => (lastWarm = await once()), o.steadyMs, () => o.onRun?.(++done, ++planned), now);
    steady = { warmupMs: now() - warmStart, settled };
  }
  const times: number[] = [];
  let runs = o.runs;
  if (runs === undefined) {
    // the last warm-up run estimates the steady state (the first one carries compilation);
    // without warm-up, the first timed run does
    if (lastWarm === undefined) {
      times.push(await once());
      lastWarm = times[0]!;
    }
    runs = runsFor(lastWarm, o);
    planned = done + runs;
    o.onRun?.(done + times.length, planned);
  }
  while (times.length < runs) {
    times.push(await once());
    o.onRun?.(done + times.length, planned);
  }
  if (!first) throw new RangeError('timeRuns needs at least one run (warm-up or timed)');
  return { times, first: first.value, firstMs: first.ms, ...(steady ? { steady } : {}) };
}
