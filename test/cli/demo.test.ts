// `nnrt demo`: the framework, engine fp32 and engine fp16 rows on ResNet-18 v2. Every row's output
// is checked against the CPU framework executor run here on the same model and input (the CPU
// executor is itself checked against ONNX references elsewhere), and the printed agreement figures
// against the tolerances. No timing assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runDemo, demoSucceeded, type DemoReport } from '../../src/demo/demo.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { vision } from '../../src/zoo/vision.js';
import '../../src/node/webgpu.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const root = new URL('../../', import.meta.url).pathname;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });

const TOLERANCE = { fp32: { atol: 1e-3, rtol: 1e-3 }, fp16: { atol: 3e-2, rtol: 3e-2 } };

/** The CPU framework's output for the demo's model and input, computed independently of the demo. */
async function cpuReference(report: DemoReport) {
  const net = vision.resnet18_v2().initialize({ seed: 1 });
  const graph = net.trace({ dtype: 'float32', shape: report.input.shape });
  const session = await createSession(graph, { device: 'cpu' });
  try {
    return (await session.run({ [graph.inputs[0]!.name]: report.input }))[graph.outputs[0]!.name]!;
  } finally {
    session.dispose();
  }
}

test('demo on the CPU: the framework and CPU engine rows run, the WebGPU engine rows say why they cannot', async () => {
  const report = await runDemo({ device: 'cpu', runs: 2 });
  assert.equal(report.setup.device, 'cpu');
  assert.deepEqual(report.input.shape, [1, 3, 64, 64]);
  assert.deepEqual(report.rows.map((r) => r.id), ['framework', 'engine-cpu', 'engine-fp32', 'engine-fp16']);
  const [framework, engineCpu, fp32, fp16] = report.rows;
  assert.equal(framework!.timing?.runs, 2);
  const want = await cpuReference(report);
  const c = compareTensors(framework!.output!, want, { atol: 0, rtol: 0 });
  assert.ok(c.pass, `the demo's CPU row differs from the CPU executor: ${c.maxAbsError}`);
  // the CPU engine (fused, packed weights, its own arena) against the plain CPU executor
  assert.equal(engineCpu!.timing?.runs, 2);
  const e = compareTensors(engineCpu!.output!, want, TOLERANCE.fp32);
  assert.ok(e.pass, `the CPU engine row differs from the CPU executor: ${e.maxAbsError}`);
  assert.equal(engineCpu!.engine?.subgraphs, 1);
  for (const row of [fp32!, fp16!]) {
    assert.equal(row.timing, undefined);
    assert.match(row.unavailable ?? '', /WebGPU/);
  }
  assert.ok(demoSucceeded(report));
});

const gpuSkip = webgpuSkip();

test('demo on WebGPU: engine fp32 and fp16 agree with the CPU framework within tolerance', { skip: gpuSkip ?? false }, async () => {
  const report = await runDemo({ device: 'webgpu', runs: 1 });
  assert.equal(report.setup.device, 'webgpu');
  const want = await cpuReference(report);
  assert.deepEqual(report.rows.map((r) => r.id), ['framework', 'engine-fp32', 'engine-fp16']);
  for (const row of report.rows) {
    assert.equal(row.error, undefined, `${row.label}: ${row.error}`);
    assert.ok(row.output, `${row.label} has an output`);
    const tol = row.id === 'engine-fp16' ? TOLERANCE.fp16 : TOLERANCE.fp32;
    const c = compareTensors(row.output!, want, tol);
    assert.ok(c.pass, `${row.label} vs the CPU framework: max abs diff ${c.maxAbsError}, ${c.mismatches} values outside atol ${tol.atol} rtol ${tol.rtol}`);
    if (row.id !== 'framework') {
      // the reported figure is the max |diff| against the framework row's output
      const vsFramework = compareTensors(row.output!, report.rows[0]!.output!, tol);
      assert.ok(Math.abs(row.maxAbsDiff! - vsFramework.maxAbsError) <= 1e-7, `${row.label}: reported ${row.maxAbsDiff}, recomputed ${vsFramework.maxAbsError}`);
      assert.equal(row.agree, true);
      assert.ok(row.engine && row.engine.subgraphs >= 1 && row.engine.layers > 0 && row.engine.layers <= row.engine.nodes);
      assert.ok(row.engine.arenaBytes <= row.engine.naiveBytes, 'the memory plan never needs more than one region per value');
    }
  }
  assert.equal(new Set(report.rows.map((r) => r.top1)).size, 1, 'every row finds the same top-1 class');
  assert.ok(demoSucceeded(report));
});

test('nnrt demo --device cpu prints the table and exits 0', () => {
  const r = cli('demo', '--device', 'cpu', '--runs', '2', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^nnrt demo: ResNet-18 v2 from the model zoo/m);
  assert.match(r.stdout, /^framework \(cpu\) +[\d.]+ +[\d.]+ +[\d.]+ +1\.00× +2 +reference$/m);
  assert.match(r.stdout, /^engine cpu fp32 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+× +2 +[\d.e+-]+ agrees/m);
  assert.match(r.stdout, /^engine fp32 +n\/a: the engine runs on WebGPU/m);
  assert.doesNotMatch(r.stdout, /^note:/m, '--quiet leaves the notes out');
});

test('nnrt demo rejects bad options with exit code 2', () => {
  assert.equal(cli('demo', '--runs', '0').status, 2);
  assert.equal(cli('demo', '--device', 'tpu').status, 2);
});
