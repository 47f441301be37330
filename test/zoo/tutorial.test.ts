// The flow of MXNet's TensorRT tutorial, in nnrt (issue 7): a zoo ResNet-18 v2, hybridize(), a
// baseline forward on the CPU framework, then optimizeFor(x, { backend: 'webgpu' }) and the same
// call again, now through the partitioned engine on the device (lavapipe here): same outputs.
// The input is 32×32 instead of 224×224 to keep a CPU Vulkan driver quick; every layer still runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU
import { UsageError } from '../../src/errors.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { vision } from '../../src/zoo/vision.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;

test('tutorial: resnet18_v2 → hybridize → baseline → optimizeFor(webgpu) → same outputs', { skip }, async () => {
  const net = vision.resnet18_v2().initialize({ seed: 1 });
  net.hybridize();
  const x = randomTensor([1, 3, 32, 32], 5);
  const baseline = await net.call(x);
  assert.deepEqual([...baseline.shape], [1, 1000]);

  const buildLog: string[] = [];
  const optimized = await net.optimizeFor(x, { backend: 'webgpu', timeTactics: false, log: (l) => buildLog.push(l) });
  assert.equal(optimized, net, 'optimizeFor returns the block itself, same call signature');
  // the engine really ran: its build log names folded batch norms and a chosen kernel per layer
  assert.ok(buildLog.some((l) => l.startsWith('[fold-batchnorm]')), buildLog.slice(0, 5).join('\n'));
  assert.ok(buildLog.some((l) => /^layer \S+ \(conv/.test(l)), 'convolutions run as engine layers');

  const y = await net.call(x);
  assert.deepEqual([...y.shape], [1, 1000]);
  const c = compareTensors(y, baseline, FP32_TOLERANCE);
  assert.ok(c.pass, `max abs ${c.maxAbsError}, max rel ${c.maxRelError}, ${c.mismatches} mismatches ${JSON.stringify(c.firstMismatch)}`);
  assert.ok(Math.max(...(baseline.data as Float32Array).map(Math.abs)) > 0.01, 'outputs are not vanishingly small');

  // a second call reuses the built engines: no new build lines
  const lines = buildLog.length;
  const z = await net.call(x);
  assert.equal(buildLog.length, lines);
  assert.deepEqual([...z.data], [...y.data]);
});

test('optimizeFor with an unknown backend is a UsageError naming the known ones', async () => {
  const net = vision.resnet18_v2().initialize({ seed: 1 });
  const x = randomTensor([1, 3, 32, 32], 5);
  await assert.rejects(net.optimizeFor(x, { backend: 'tensorrt' }), (e) => e instanceof UsageError && /unknown backend 'tensorrt'/.test(e.message) && /webgpu/.test(e.hint ?? ''));
});
