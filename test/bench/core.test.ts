// Bench core pieces on hand-made values: which nnrt configurations a request expands to, and the
// output comparison behind the "agrees" column, and rows taking turns (--turns) with runners of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchModel, compareOutputs, describeError } from '../../src/bench/bench.js';
import type { BenchModel, Runner } from '../../src/bench/types.js';
import { concreteInputShapes } from '../../src/bench/models.js';
import { nnrtConfigs, nnrtRunnerId } from '../../src/bench/nnrt-runners.js';
import { UnsupportedError } from '../../src/errors.js';
import { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/tensor/tensor.js';

const ids = (...a: Parameters<typeof nnrtConfigs>) => nnrtConfigs(...a).map(nnrtRunnerId);

test('configurations: the cross product, less fp16 without an engine and the engine on the cpu', () => {
  assert.deepEqual(ids(['cpu'], ['none'], ['fp32']), ['nnrt-cpu']);
  assert.deepEqual(ids(['cpu', 'webgpu'], ['none', 'webgpu'], ['fp32', 'fp16']), ['nnrt-cpu', 'nnrt-webgpu', 'nnrt-webgpu-engine', 'nnrt-webgpu-engine-fp16']);
  assert.deepEqual(ids(['webgpu'], ['webgpu'], ['fp16']), ['nnrt-webgpu-engine-fp16']);
  // nothing meaningful left: kept, so the row can say why it does not run
  assert.deepEqual(ids(['cpu'], ['none'], ['fp16']), ['nnrt-cpu-fp16']);
  assert.deepEqual(ids(['cpu'], ['webgpu'], ['fp32']), ['nnrt-cpu-engine']);
});

test('configurations: one framework-on-cpu row per CPU kernel choice, none for other devices', () => {
  assert.deepEqual(ids(['cpu'], ['none'], ['fp32'], ['fast', 'reference']), ['nnrt-cpu', 'nnrt-cpu-reference']);
  assert.deepEqual(ids(['cpu', 'webgpu'], ['none'], ['fp32'], ['reference']), ['nnrt-cpu-reference', 'nnrt-webgpu']);
});

test('outputs: max |diff| over every output; a missing output or another shape disagrees', () => {
  const t = (v: number[]) => Tensor.fromArray([v.length], v);
  const want = { a: t([1, 2, 3]), b: t([10, 20]) };
  const close = compareOutputs({ a: t([1, 2, 3.0005]), b: t([10.004, 20]) }, want, { atol: 1e-3, rtol: 1e-3 });
  assert.equal(close.agree, true); // 0.004 ≤ 1e-3 + 1e-3·10
  assert.ok(Math.abs(close.maxAbsDiff - 0.004) < 1e-5, `${close.maxAbsDiff}`);
  const off = compareOutputs({ a: t([1, 2.01, 3]), b: t([10, 20]) }, want, { atol: 1e-3, rtol: 1e-3 });
  assert.equal(off.agree, false);
  assert.ok(Math.abs(off.maxAbsDiff - 0.01) < 1e-6);
  assert.deepEqual(compareOutputs({ a: t([1, 2, 3]) }, want, { atol: 1, rtol: 0 }), { maxAbsDiff: 0, agree: false, reason: "output 'b' is missing" });
  const shaped = compareOutputs({ a: Tensor.fromArray([3, 1], [1, 2, 3]), b: t([10, 20]) }, want, { atol: 1, rtol: 0 });
  assert.equal(shaped.agree, false);
  assert.match(shaped.reason!, /output 'a': shape \[3,1\]/);
});

test('input shapes: a symbolic batch takes --batch; a fixed batch must match it; other symbols are errors', () => {
  const g = (shape: (number | string)[]) => new Graph({ inputs: [{ name: 'x', dtype: 'float32', shape }] });
  assert.deepEqual([...concreteInputShapes(g(['N', 3, 8, 8]), 4, 'm')], [['x', [4, 3, 8, 8]]]);
  assert.deepEqual([...concreteInputShapes(g(['N', 3, 8, 8]), undefined, 'm')], [['x', [1, 3, 8, 8]]]);
  assert.deepEqual([...concreteInputShapes(g([2, 3, 8, 8]), undefined, 'm')], [['x', [2, 3, 8, 8]]]);
  assert.throws(() => concreteInputShapes(g([2, 3, 8, 8]), 4, 'm'), /fixed batch of 2, but --batch 4/);
  assert.throws(() => concreteInputShapes(g(['N', 3, 'H', 8]), 1, 'm'), /symbolic dimension 'H' at axis 2/);
});

test('errors read as "Class: message" for typed errors', () => {
  assert.equal(describeError(new UnsupportedError('no engine', { hint: 'later' })), 'UnsupportedError: no engine — later');
  assert.equal(describeError(new Error('plain')), 'plain');
  assert.equal(describeError(new TypeError('bad')), 'TypeError: bad');
});

test('--turns: every row prepared and warmed up first, then rounds of each row\'s share of its runs; a row that cannot prepare is n/a; all disposed', async () => {
  const log: string[] = [];
  const out = { y: new Tensor('float32', [2], new Float32Array([1, 2])) };
  const runner = (id: string, fail = false): Runner => ({
    id, label: id, kind: 'nnrt', device: 'cpu', engine: 'none', precision: 'fp32', mode: 'e2e',
    async prepare() {
      if (fail) throw new UnsupportedError(`${id} cannot`);
      log.push(`${id}:prepare`);
      return { run: async () => (log.push(`${id}:run`), out), dispose: () => void log.push(`${id}:dispose`) };
    },
  });
  const model = { name: 'm', source: 'file', onnx: new Uint8Array(), loadGraph: () => new Graph(), inputs: {}, batch: 1, parameters: 0 } as BenchModel;
  const report = await benchModel(model, [runner('a'), runner('b', true), runner('c')], { timing: { warmup: 1, runs: 6, targetMs: 1, minRuns: 1, maxRuns: 10 }, turns: 3 });
  assert.deepEqual(report.rows.map((r) => [r.id, r.status, r.timing?.runs]), [['a', 'ok', 6], ['b', 'n/a', undefined], ['c', 'ok', 6]]);
  assert.match(report.rows[1]!.reason!, /UnsupportedError: b cannot/);
  // warm-up (1) and the sizing run (1) of a, then of c; then 3 rounds of 2 runs each, a before c
  const runs = log.filter((l) => l.endsWith(':run') || l.endsWith(':prepare')).map((l) => l.replace(':run', '').replace(':prepare', '+'));
  assert.deepEqual(runs, ['a+', 'a', 'a', 'c+', 'c', 'c', 'a', 'a', 'c', 'c', 'a', 'a', 'c', 'c', 'a', 'a', 'c', 'c']);
  assert.deepEqual(log.filter((l) => l.endsWith(':dispose')), ['a:dispose', 'c:dispose']);
  assert.equal(report.rows[2]!.agree, true);
});

test('startupMs: a row\'s session creation plus its first run (where an engine builds), in turns or not', async () => {
  const out = { y: new Tensor('float32', [1], new Float32Array([1])) };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const runner: Runner = {
    id: 'slow-start', label: 'slow start', kind: 'nnrt', device: 'cpu', engine: 'none', precision: 'fp32', mode: 'e2e',
    async prepare() {
      await sleep(40);
      let first = true;
      return { run: async () => (first ? (first = false, await sleep(60)) : undefined, out), dispose: () => {} };
    },
  };
  const model = { name: 'm', source: 'file', onnx: new Uint8Array(), loadGraph: () => new Graph(), inputs: {}, batch: 1, parameters: 0 } as BenchModel;
  for (const turns of [undefined, 2]) {
    const report = await benchModel(model, [runner], { timing: { warmup: 1, runs: 4, targetMs: 1, minRuns: 1, maxRuns: 10 }, ...(turns ? { turns } : {}) });
    const row = report.rows[0]!;
    assert.ok(row.startupMs! >= 95, `startup ${row.startupMs} ms covers the 40 ms prepare and the 60 ms first run`);
    assert.ok(row.timing!.median < 30, 'the timed runs do not carry the first run');
  }
});
