// Seeded, bounded mutation fuzzing in CI (well under 60 s on 2 cores): ONNX models (parsed, inferred
// and run on the CPU under a 64 MiB budget), MXNet symbols and params, plan files (with the
// checksum broken, and with valid checksums around mutated fields), timing caches. Every case
// succeeds or throws a typed NnrtError, in bounded time, without over-allocating.
// scripts/fuzz-long.ts runs the same targets for ≥ 50k mutations with hang detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseBytes, fuzzTargets, runCase } from '../helpers/fuzz-targets.js';

const SEED = 20261204;
const CASES: Record<string, number> = { 'onnx': 600, 'mxnet-symbol': 300, 'mxnet-params': 300, 'plan': 200, 'plan-fields': 400, 'timing-cache': 300 };
const CASE_MS = 5000;
const RSS_LIMIT = 1.5 * 2 ** 30;

for (const target of fuzzTargets()) {
  test(`fuzz ${target.name}: ${CASES[target.name]} mutations give results or typed errors`, () => {
    const counts = { ok: 0, typed: 0, crash: 0 };
    const problems: string[] = [];
    let peak = 0;
    for (let i = 0; i < CASES[target.name]!; i++) {
      const r = runCase(target, caseBytes(target, SEED, i));
      counts[r.outcome]++;
      peak = Math.max(peak, process.memoryUsage().rss);
      const again = `reproduce: caseBytes(fuzzTargets()[${fuzzTargets().findIndex((t) => t.name === target.name)}], ${SEED}, ${i})`;
      if (r.outcome === 'crash') problems.push(`case ${i} crashed: ${String((r.error as Error)?.stack ?? r.error).split('\n').slice(0, 3).join(' | ')} (${again})`);
      if (r.ms > CASE_MS) problems.push(`case ${i} took ${r.ms.toFixed(0)} ms (${again})`);
    }
    assert.deepEqual(problems, []);
    assert.ok(peak < RSS_LIMIT, `resident memory peaked at ${(peak / 2 ** 20).toFixed(0)} MiB`);
    assert.ok(counts.typed > 0, 'mutations are refused with typed errors');
  });
}
