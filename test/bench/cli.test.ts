// `nnrt bench` through the real CLI on small models: nnrt's CPU framework next to onnxruntime-node
// (an independent runtime) on the same ONNX bytes and inputs; the JSON's structure, agreement of
// the outputs, and n/a rows for configurations that cannot run. No timing assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from '../../src/bench/types.js';
import { smallCnnModel } from '../helpers/small-model.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nnrt-bench-'));
const model = join(dir, 'small.onnx');
writeFileSync(model, smallCnnModel());

function bench(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'bench', ...args], {
    encoding: 'utf8', cwd: root, env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function readReport(file: string): BenchReport {
  assert.ok(existsSync(file), `${file} was written`);
  return JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
}

test('a model file on the cpu with onnxruntime-node and onnxruntime-web wasm: JSON structure and agreement', () => {
  const json = join(dir, 'small.json');
  const chart = join(dir, 'small.svg');
  const r = bench([model, '--device', 'cpu', '--peers', 'ort-node,ort-web-wasm', '--runs', '2', '--warmup', '1', '--json', json, '--chart', chart]);
  assert.equal(r.code, 0, r.err);
  const rep = readReport(json);
  assert.equal(rep.tool, 'nnrt bench');
  assert.match(rep.nnrt, /^\d+\.\d+\.\d+/);
  assert.ok(!Number.isNaN(Date.parse(rep.date)));
  assert.equal(typeof rep.hardware.cpu, 'string');
  assert.ok(rep.hardware.cores >= 1);
  assert.equal(rep.hardware.node, process.version);
  assert.deepEqual({ warmup: rep.settings.warmup, runs: rep.settings.runs }, { warmup: 1, runs: 2 });
  assert.equal(rep.models.length, 1);
  const m = rep.models[0]!;
  assert.equal(m.model, 'small');
  assert.deepEqual(m.inputs, [{ name: 'x', shape: [1, 2, 6, 6], dtype: 'float32' }]);
  assert.equal(m.parameters, 4 * 2 * 9 + 4 + 3 * 36 + 3 + 2); // conv, bias, fc, bias, the Reshape's shape
  assert.equal(m.reference, 'nnrt-cpu');
  assert.deepEqual(m.rows.map((x) => [x.id, x.kind, x.status]), [['nnrt-cpu', 'nnrt', 'ok'], ['nnrt-cpu-engine', 'nnrt', 'ok'], ['ort-node', 'peer', 'ok'], ['ort-web-wasm', 'peer', 'ok']]);
  for (const row of m.rows) {
    assert.equal(row.timing!.runs, 2);
    assert.equal(row.times!.length, 2);
    assert.ok(row.timing!.median > 0 && row.timing!.p90 >= row.timing!.median);
    assert.ok(row.throughput! > 0 && row.slowdownVsFastest! >= 1);
    assert.equal(row.mode, 'e2e');
    assert.equal(row.agree, true, `${row.id} agrees with nnrt's CPU framework`);
    assert.ok(row.maxAbsDiff! < 1e-5, `${row.id}: max |diff| ${row.maxAbsDiff}`);
  }
  assert.match(r.out, /wrote .*small\.json/);
  assert.match(r.err, /\[1\/4\] small · nnrt cpu\n/, 'without a terminal, one progress line per row on stderr');
  const svg = readFileSync(chart, 'utf8');
  assert.equal((svg.match(/<rect class="bar"/g) ?? []).length, 4);
});

test('a zoo model is exported once and runs in nnrt and onnxruntime-node with the same outputs', () => {
  const json = join(dir, 'zoo.json');
  const r = bench(['cifar_resnet20_v2', '--batch', '2', '--device', 'cpu', '--peers', 'ort-node', '--runs', '1', '--warmup', '0', '--json', json, '-q']);
  assert.equal(r.code, 0, r.err);
  const m = readReport(json).models[0]!;
  assert.equal(m.source, 'zoo');
  assert.deepEqual(m.inputs[0]!.shape, [2, 3, 32, 32]);
  assert.ok(m.parameters > 200_000);
  const ort = m.rows.find((x) => x.id === 'ort-node')!;
  assert.equal(ort.status, 'ok');
  assert.equal(ort.agree, true, `max |diff| ${ort.maxAbsDiff}`);
});

test('a configuration that cannot run is an n/a row with its reason; the rest of the bench goes on', () => {
  const json = join(dir, 'na.json');
  const r = bench([model, '--device', 'cpu', '--precision', 'fp16', '--peers', 'ort-node,ort-web-webgpu', '--runs', '1', '--warmup', '0', '--json', json, '-q'], {
    NNRT_ORT_WEB_DIR: dir, // no ort.min.mjs there
  });
  assert.equal(r.code, 0, r.err);
  const m = readReport(json).models[0]!;
  const byId = Object.fromEntries(m.rows.map((x) => [x.id, x]));
  assert.equal(byId['nnrt-cpu-fp16']!.status, 'n/a');
  assert.match(byId['nnrt-cpu-fp16']!.reason!, /computes in fp32; fp16 needs the optimizing engine/);
  assert.equal(byId['ort-web-webgpu']!.status, 'n/a');
  assert.match(byId['ort-web-webgpu']!.reason!, /ort\.min\.mjs' is missing.*NNRT_ORT_WEB_DIR/);
  assert.equal(byId['ort-node']!.status, 'ok');
  assert.equal(m.reference, 'ort-node', 'with no nnrt row timed, the first timed row is the reference');
});

test('no flags: one table with nnrt and the installed peers; bad options are usage errors', () => {
  const r = bench([model, '--runs', '1', '--warmup', '0', '-q'], { NNRT_ORT_WEB_DIR: dir });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /small \(file\): x \[1,2,6,6\] float32/);
  assert.equal((r.out.match(/^runner /gm) ?? []).length, 1, 'one table for the model');
  assert.match(r.out, /nnrt cpu\s+end to end\s+[\d.]+\s+[\d.]+/);
  assert.match(r.out, /onnxruntime-node [\d.]+ cpu .*end to end\s+[\d.]+/, 'onnxruntime-node is installed here (a dev dependency): it is in the table');
  assert.match(r.out, /onnxruntime-web [\d.]+ wasm .*end to end\s+[\d.]+/);
  assert.doesNotMatch(r.out, /webgpu \(JSEP\)/, 'no ort.min.mjs in NNRT_ORT_WEB_DIR: the WebGPU peer is not present');
  assert.equal((r.out.match(/1\.00× \(fastest\)/g) ?? []).length, 1, 'exactly one fastest row');
  const bad = bench([model, '--device', 'tpu']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /UsageError: --device 'tpu' is not one of cpu, webgpu/);
  const unknown = bench(['resnet9000']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /'resnet9000' is neither a zoo model nor a file/);
  const base = bench([model, '--no-peers', '--baseline', 'ort-node']);
  assert.equal(base.code, 2);
  assert.match(base.err, /--baseline 'ort-node' is not one of this run's rows/);
});

test('--mode resident,stream on webgpu: an on-device row and a back-to-back row (runs submitted without waiting), both ok and agreeing', { skip: webgpuSkip() ?? false }, () => {
  const json = join(dir, 'stream.json');
  const r = bench([model, '--device', 'webgpu', '--engine', 'webgpu', '--no-peers', '--mode', 'resident,stream', '--runs', '3', '--warmup', '2', '--json', json, '-q']);
  assert.equal(r.code, 0, r.err);
  const m = readReport(json).models[0]!;
  assert.deepEqual(m.rows.map((x) => [x.id, x.mode, x.status]), [['nnrt-webgpu-engine-resident', 'resident', 'ok'], ['nnrt-webgpu-engine-stream', 'stream', 'ok']]);
  for (const row of m.rows) assert.equal(row.times!.length, 3);
  assert.equal(m.rows[1]!.agree, true, 'the back-to-back row\'s first outputs are the on-device row\'s');
  assert.match(r.out, /back to back/);
  assert.match(r.out, /'back to back': on device, each run submitted without waiting for it/);
});
