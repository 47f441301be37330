// A long mutation-fuzzing run over nnrt's parsers (the targets of test/safety/fuzz.test.ts):
//   npx tsx scripts/fuzz-long.ts [--mutations 50000] [--seed 1] [--hang-ms 10000]
// Cases run in a child process; a case silent for --hang-ms is a hang (the child is killed and the
// run goes on from the next case). Prints totals: runs, results, typed errors, crashes, hangs,
// the child's peak resident memory, and the first crashes with how to reproduce them.
// Not part of the test suite; run it niced: `nice -n 19 npx tsx scripts/fuzz-long.ts`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { caseBytes, fuzzTargets, runCase } from '../test/helpers/fuzz-targets.js';

interface Progress { target: number; index: number; outcome: 'ok' | 'typed' | 'crash'; ms: number; rss: number; error?: string }

if (process.env.NNRT_FUZZ_CHILD) {
  // child: run cases [from, to) of each target in turn, reporting each one
  const [seed, target, from, to] = process.env.NNRT_FUZZ_CHILD.split(',').map(Number) as [number, number, number, number];
  const t = fuzzTargets()[target]!;
  process.send!({ ready: true }); // imports done: from here on, silence means a hang
  for (let i = from; i < to; i++) {
    const r = runCase(t, caseBytes(t, seed, i));
    const error = r.outcome === 'crash' ? String((r.error as Error)?.stack ?? r.error).split('\n').slice(0, 3).join(' | ') : undefined;
    process.send!({ target, index: i, outcome: r.outcome, ms: r.ms, rss: process.memoryUsage().rss, ...(error ? { error } : {}) } satisfies Progress);
  }
  // exit once every report has left (process.exit could drop queued IPC messages)
  process.send!({ ready: true }, () => process.exit(0));
}

const { values } = parseArgs({ options: { mutations: { type: 'string', default: '50000' }, seed: { type: 'string', default: '1' }, 'hang-ms': { type: 'string', default: '10000' } } });
const total = Number(values.mutations);
const seed = Number(values.seed);
const hangMs = Number(values['hang-ms']);
const targets = fuzzTargets();
// ONNX cases also run the model: give them the largest share
const shares = targets.map((t) => (t.name === 'onnx' ? 3 : 1));
const perTarget = shares.map((s) => Math.floor((total * s) / shares.reduce((a, b) => a + b, 0)));

const totals = { runs: 0, ok: 0, typed: 0, crashes: 0, hangs: 0, peakRss: 0, slowestMs: 0 };
const byTarget = targets.map((t) => ({ name: t.name, runs: 0, ok: 0, typed: 0, crashes: 0, hangs: 0 }));
const firstProblems: string[] = [];
const self = fileURLToPath(import.meta.url);
const t0 = performance.now();

/** Runs cases [from, to) of target k in a child; resolves with the index to resume at (to when done). */
function runSpan(k: number, from: number, to: number): Promise<number> {
  return new Promise((resolve) => {
    let next = from;
    const child = fork(self, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=4096'], env: { ...process.env, NNRT_FUZZ_CHILD: `${seed},${k},${from},${to}` } });
    // start-up (loading tsx and every op) is not a case: it gets its own, generous limit
    let timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    function onHang() {
      totals.hangs++;
      byTarget[k]!.hangs++;
      totals.runs++;
      byTarget[k]!.runs++;
      if (firstProblems.length < 10) firstProblems.push(`${targets[k]!.name} case ${next}: no answer in ${hangMs} ms (caseBytes(fuzzTargets()[${k}], ${seed}, ${next}))`);
      child.kill('SIGKILL');
      next++;
    }
    child.on('message', (m: Progress | { ready: true }) => {
      clearTimeout(timer);
      timer = setTimeout(onHang, hangMs);
      if ('ready' in m) return;
      next = m.index + 1;
      totals.runs++;
      byTarget[k]!.runs++;
      totals.peakRss = Math.max(totals.peakRss, m.rss);
      totals.slowestMs = Math.max(totals.slowestMs, m.ms);
      if (m.outcome === 'ok') { totals.ok++; byTarget[k]!.ok++; }
      else if (m.outcome === 'typed') { totals.typed++; byTarget[k]!.typed++; }
      else {
        totals.crashes++;
        byTarget[k]!.crashes++;
        if (firstProblems.length < 10) firstProblems.push(`${targets[k]!.name} case ${m.index}: ${m.error} (caseBytes(fuzzTargets()[${k}], ${seed}, ${m.index}))`);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (next < to && signal !== 'SIGKILL') {
        // died without a report (out of memory, abort): count the case as a crash
        totals.crashes++;
        byTarget[k]!.crashes++;
        totals.runs++;
        byTarget[k]!.runs++;
        if (firstProblems.length < 10) firstProblems.push(`${targets[k]!.name} case ${next}: the process died (code ${code}, signal ${signal})`);
        next++;
      }
      resolve(next);
    });
  });
}

for (const [k, n] of perTarget.entries()) {
  for (let from = 0; from < n;) from = await runSpan(k, from, n);
  const b = byTarget[k]!;
  console.log(`${b.name.padEnd(13)} ${String(b.runs).padStart(6)} runs  ${String(b.ok).padStart(6)} ok  ${String(b.typed).padStart(6)} typed errors  ${b.crashes} crashes  ${b.hangs} hangs`);
}
const secs = (performance.now() - t0) / 1000;
console.log(`total         ${totals.runs} runs (seed ${seed}) in ${secs.toFixed(0)} s: ${totals.ok} ok, ${totals.typed} typed errors, ${totals.crashes} crashes, ${totals.hangs} hangs; `
  + `peak memory ${(totals.peakRss / 2 ** 20).toFixed(0)} MiB (fuzzing process); slowest case ${totals.slowestMs.toFixed(0)} ms`);
for (const p of firstProblems) console.log(`  ${p}`);
process.exitCode = totals.crashes || totals.hangs ? 1 : 0;
