// Bench statistics and run sizing on hand-made samples (values worked out by hand).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile, summarize } from '../../src/bench/stats.js';
import { runsFor, timeRuns } from '../../src/bench/timing.js';

test('median of odd and even counts, order-independent', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test('p90 is the nearest-rank sample (never interpolated)', () => {
  const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  assert.equal(percentile(ten, 90), 9); // ceil(0.9·10) = 9th smallest
  const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.equal(percentile(twenty, 90), 18);
  assert.equal(percentile([3, 1, 2], 90), 3); // ceil(2.7) = 3rd
  assert.equal(percentile([42], 90), 42);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.throws(() => percentile([1], 0), RangeError);
  assert.throws(() => median([]), RangeError);
});

test('summarize: runs, median, p90, mean, min, max', () => {
  assert.deepEqual(summarize([2, 4, 4, 4, 5, 5, 7, 9]), { runs: 8, median: 4.5, p90: 9, mean: 5, min: 2, max: 9 });
});

test('runs are sized to the target time within the bounds', () => {
  const o = { targetMs: 3000, minRuns: 5, maxRuns: 500 };
  assert.equal(runsFor(10, o), 300);
  assert.equal(runsFor(7, o), 429); // ceil(428.57)
  assert.equal(runsFor(2000, o), 5);
  assert.equal(runsFor(0.001, o), 500);
  assert.equal(runsFor(0, o), 500);
});

test('timeRuns: warm-up runs are not timed; the first result is kept through `keep`', async () => {
  let calls = 0;
  const progress: [number, number][] = [];
  const t = await timeRuns(async () => ++calls, { warmup: 2, runs: 3, targetMs: 1, minRuns: 1, maxRuns: 10, onRun: (d, p) => progress.push([d, p]) }, (r) => r * 100);
  assert.equal(calls, 5);
  assert.equal(t.times.length, 3);
  assert.equal(t.first, 100);
  assert.deepEqual(progress.at(-1), [5, 5]);
});

test('timeRuns without --runs and without warm-up sizes from the first timed run', async () => {
  let calls = 0;
  const t = await timeRuns(async () => ++calls, { warmup: 0, targetMs: 0, minRuns: 4, maxRuns: 10 });
  assert.equal(t.times.length, 4);
  assert.equal(calls, 4);
  assert.equal(t.first, 1);
});

/** A virtual clock: each run advances it by the run's made-up duration, so these tests never depend on the machine's speed. */
function virtualClock() {
  let t = 0;
  return { clock: () => t, spend: (ms: number) => void (t += ms) };
}

test('timeRuns: warm-up goes on past its run count until warmupMs have passed; warm-up 0 skips it', async () => {
  const v = virtualClock();
  let calls = 0;
  const progress: [number, number][] = [];
  const fiveMs = async () => (v.spend(5), ++calls);
  const t = await timeRuns(fiveMs, { warmup: 1, warmupMs: 60, runs: 2, targetMs: 1, minRuns: 1, maxRuns: 10, clock: v.clock, onRun: (d, p) => progress.push([d, p]) });
  // warm-up runs at t = 0, 5, …, 55 start before 60 ms have passed: 12 of them, then 2 timed
  assert.equal(calls, 14);
  assert.deepEqual(t.times, [5, 5]);
  assert.deepEqual(progress.at(-1), [14, 14], 'the planned count grows with the extra warm-up runs');
  calls = 0;
  await timeRuns(fiveMs, { warmup: 0, warmupMs: 60, runs: 2, targetMs: 1, minRuns: 1, maxRuns: 10, clock: v.clock });
  assert.equal(calls, 2);
});

test('timeRuns with steadyMs: warm-up goes on through a step in speed until two windows agree; the timed runs see the settled speed', async () => {
  const v = virtualClock();
  let calls = 0;
  // 80 slow runs (a GPU at its idle clock), then fast ones; the slow ones drift by 5% a window so
  // no two slow windows agree
  const stepped = async () => {
    calls++;
    v.spend(calls <= 80 ? 6 * 1.05 ** Math.floor(calls / 10) : 1);
  };
  const t = await timeRuns(stepped, { warmup: 1, warmupMs: 0, steadyMs: 10_000, runs: 20, targetMs: 1, minRuns: 1, maxRuns: 100, clock: v.clock });
  assert.ok(t.steady?.settled, JSON.stringify(t.steady));
  assert.ok(calls - 20 > 80, `warm-up ran past the slow runs: ${calls - 20} warm-up runs`);
  assert.equal(t.times.length, 20);
  assert.ok(t.times.every((ms) => Math.abs(ms - 1) < 1e-6), `timed runs are the fast ones: ${t.times}`);
});

test('timeRuns with steadyMs: runs that never settle stop warming up at steadyMs and say so', async () => {
  const v = virtualClock();
  let calls = 0;
  // each run 10% slower than the one before: two windows never agree
  const drifting = async () => v.spend(0.2 * 1.1 ** calls++);
  const t = await timeRuns(drifting, { warmup: 1, steadyMs: 600, runs: 2, targetMs: 1, minRuns: 1, maxRuns: 10, clock: v.clock });
  assert.equal(t.steady?.settled, false);
  assert.ok(t.steady!.warmupMs >= 600, JSON.stringify(t.steady));
});
