// The speed comparison of the bench table on fixed timings (no timing is measured here): which row
// is fastest, how many times slower each other row is, the --baseline column's faster/slower words,
// and how configurations expand into rows per timing mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSpeeds, runnersInModes } from '../../src/bench/bench.js';
import { nnrtRunner } from '../../src/bench/nnrt-runners.js';
import { modelTable, vsBaseline, vsFastest } from '../../src/bench/table.js';
import type { BenchRow, ModelReport } from '../../src/bench/types.js';
import { peerRunner } from '../../src/node/peers.js';

const timed = (id: string, median: number, extra: Partial<BenchRow> = {}): BenchRow => ({
  id, label: id, kind: id.startsWith('nnrt') ? 'nnrt' : 'peer', device: 'cpu', engine: 'none', precision: 'fp32', mode: 'e2e', status: 'ok',
  timing: { runs: 5, median, p90: median, mean: median, min: median, max: median }, throughput: 1000 / median, ...extra,
});

function model(rows: BenchRow[], baseline?: string): ModelReport {
  const m: ModelReport = { model: 'm', source: 'file', batch: 1, inputs: [{ name: 'x', shape: [1, 4], dtype: 'float32' }], parameters: 10, reference: rows[0]!.id, rows };
  return Object.assign(m, compareSpeeds(rows, baseline));
}

test('onnxruntime-node 7.2× faster than nnrt: it is the fastest row, nnrt reads "7.20× slower"', () => {
  const m = model([timed('nnrt-cpu', 36), timed('ort-node', 5), timed('ort-web-wasm', 10)]);
  assert.equal(m.fastest, 'ort-node');
  const [nnrt, ort, wasm] = m.rows;
  assert.equal(nnrt!.slowdownVsFastest, 7.2);
  assert.equal(ort!.slowdownVsFastest, 1);
  assert.equal(wasm!.slowdownVsFastest, 2);
  assert.equal(vsFastest(nnrt!, m), '7.20× slower');
  assert.equal(vsFastest(ort!, m), '1.00× (fastest)');
  assert.equal(vsFastest(wasm!, m), '2.00× slower');
  assert.equal(m.baseline, undefined, 'no baseline unless asked for');
  assert.equal(nnrt!.speedupVsBaseline, undefined);
  const text = modelTable(m).join('\n');
  assert.match(text, /runner\s+timed\s+median ms\s+p90 ms\s+items\/s\s+vs fastest\s+runs/);
  assert.match(text, /nnrt-cpu\s+end to end\s+36\.00\s+36\.00\s+27\.8\s+7\.20× slower\s+5\s+reference/);
  assert.match(text, /ort-node\s+end to end\s+5\.000\s+5\.000\s+200\s+1\.00× \(fastest\)\s+5/);
  assert.match(text, /vs fastest: how many times slower than the fastest row/);
  assert.doesNotMatch(text, /0\.\d+×/, 'no ratio below 1 anywhere: every figure reads as "times slower" or "times faster"');
});

test('a --baseline column says faster or slower than the named row; ratios of 10 and 100 lose decimals', () => {
  const m = model([timed('nnrt-cpu', 360), timed('nnrt-webgpu-resident', 1.2, { mode: 'resident' }), timed('ort-node', 36), timed('ort-web-wasm', 36.1)], 'ort-node');
  assert.equal(m.baseline, 'ort-node');
  const byId = Object.fromEntries(m.rows.map((r) => [r.id, r]));
  assert.equal(byId['nnrt-cpu']!.speedupVsBaseline, 0.1);
  assert.equal(byId['nnrt-webgpu-resident']!.speedupVsBaseline, 30);
  assert.equal(vsBaseline(byId['nnrt-cpu']!, m), '10.0× slower');
  assert.equal(vsBaseline(byId['nnrt-webgpu-resident']!, m), '30.0× faster');
  assert.equal(vsBaseline(byId['ort-node']!, m), 'baseline');
  assert.equal(vsBaseline(byId['ort-web-wasm']!, m), 'same');
  assert.equal(vsFastest(byId['nnrt-cpu']!, m), '300× slower');
  assert.equal(vsFastest(byId['ort-node']!, m), '30.0× slower');
  const text = modelTable(m).join('\n');
  assert.match(text, /vs fastest\s+vs ort-node\s+runs/);
  assert.match(text, /nnrt-webgpu-resident\s+on device\s+1\.200\s+1\.200\s+833\s+1\.00× \(fastest\)\s+30\.0× faster\s+5/);
  assert.match(text, /vs ort-node: how many times faster or slower than 'ort-node' timed end to end/);
});

test('n/a rows get no comparison; a tie with the fastest says so', () => {
  const na: BenchRow = { id: 'ort-web-webgpu', label: 'ort-web-webgpu', kind: 'peer', device: 'webgpu', engine: 'onnxruntime-web', precision: 'fp32', mode: 'e2e', status: 'n/a', reason: 'no adapter' };
  const m = model([timed('a', 2), na, timed('b', 2.004)]);
  assert.equal(m.fastest, 'a');
  assert.equal(na.slowdownVsFastest, undefined);
  assert.equal(vsFastest(m.rows[2]!, m), '1.00× (tied)');
  assert.match(modelTable(m).join('\n'), /ort-web-webgpu\s+end to end\s+n\/a \(no adapter\)/);
  assert.deepEqual(compareSpeeds([na]), {}, 'nothing timed: no fastest row');
});

test('rows per timing mode: webgpu configurations get both, the CPU and the peers end to end only', () => {
  const factories = [
    nnrtRunner({ device: 'cpu', engine: 'none', precision: 'fp32' }),
    nnrtRunner({ device: 'webgpu', engine: 'webgpu', precision: 'fp16' }),
    peerRunner('ort-node'),
  ];
  const rows = (modes: Parameters<typeof runnersInModes>[1]) => runnersInModes(factories, modes).map((r) => `${r.id}:${r.mode}`);
  assert.deepEqual(rows(['e2e', 'resident']), ['nnrt-cpu:e2e', 'nnrt-webgpu-engine-fp16:e2e', 'nnrt-webgpu-engine-fp16-resident:resident', 'ort-node:e2e']);
  // only resident asked for: the CPU and the peer keep one row, which says why it cannot run
  assert.deepEqual(rows(['resident']), ['nnrt-cpu-resident:resident', 'nnrt-webgpu-engine-fp16-resident:resident', 'ort-node-resident:resident']);
});

test('a configuration without the asked-for mode fails in prepare with the reason', async () => {
  const cpu = nnrtRunner({ device: 'cpu', engine: 'none', precision: 'fp32' }).runner('resident');
  await assert.rejects(cpu.prepare({} as never), /keeps tensors in host memory/);
  const ort = peerRunner('ort-node').runner('resident');
  await assert.rejects(ort.prepare({} as never), /times ort-node end to end only/);
});

test('the last runs at one speed: the final plateau of a row that stepped its speed, past a stray slow run; none shorter than five runs', async () => {
  const { lastSteady } = await import('../../src/bench/stats.js');
  // the int8 ResNet-50 row of the 2026-12-06 H100 run (its last 28 runs): 6.06 ms, a stray 7.35, a step, then 3.5
  const plateaus = [6.07, 6.08, 6.06, 6.06, 6.05, 6.05, 6.05, 6.04, 6.04, 6.04, 6.07, 6.06, 6.07, 6.08, 7.35, 5.38, 3.56, 3.55, 3.54, 3.53, 3.52, 3.51, 3.52, 3.51, 3.51, 3.51, 3.5, 3.5];
  assert.deepEqual(lastSteady(plateaus), { runs: 13, median: 3.52 }, "the 3.5 ms plateau and the one 5.38 ms run stepping down into it");
  // a stray slow run inside the final plateau does not end it
  const stray = [9, 9, 9, 5.0, 5.1, 5.0, 7.9, 5.0, 5.1, 5.0, 5.0, 5.1, 5.0, 5.0];
  assert.deepEqual(lastSteady(stray), { runs: 11, median: 5.0 });
  assert.equal(lastSteady([5, 9, 5, 9, 5, 9]), undefined, 'no five final runs at one speed');
});

test('a row whose runs sped up while timed (a GPU raising its clocks) gets an "unsteady" note with both halves; steady rows and short rows none', async () => {
  const { drift } = await import('../../src/bench/stats.js');
  // the ViT-B on-device row of the 2026-12-05 H100 run: ten runs at ~20 ms, then ten at ~5.3 ms
  const stepped = [20.0, 19.9, 19.8, 19.8, 22.9, 22.1, 30.6, 24.1, 19.8, 20.0, 9.2, 5.9, 5.7, 5.5, 5.4, 5.3, 5.2, 5.2, 5.2, 5.2];
  const steady = [6.1, 6.1, 6.0, 6.2, 6.1, 6.0, 6.1, 6.6, 6.1, 6.0, 6.1, 6.0];
  assert.ok(drift(stepped)! > 3, `drift ${drift(stepped)}`);
  assert.ok(Math.abs(drift(steady)! - 1) < 0.05);
  assert.equal(drift([20, 10, 5]), undefined, 'too few runs to say');
  const slowing = [...stepped].reverse();
  const m = model([
    timed('nnrt-webgpu-resident', 12, { mode: 'resident', times: stepped }),
    timed('nnrt-webgpu', 6, { times: steady }),
    timed('ort-web-webgpu', 10, { times: slowing }),
    timed('nnrt-cpu', 30, { times: [40, 35, 30, 20, 10] }),
  ]);
  const notes = modelTable(m).filter((l) => l.startsWith('unsteady:'));
  assert.equal(notes.length, 2, notes.join('\n'));
  assert.match(notes[0]!, /^unsteady: nnrt-webgpu-resident on device: its first 10 runs took 20\.00 ms \(median\), its last 10 5\.350 ms; its last 5 runs, at one speed \(within 3%\), took 5\.200 ms; .*--warmup-ms/);
  assert.match(notes[1]!, /^unsteady: ort-web-webgpu end to end: its first 10 runs took 5\.350 ms/);
});
