// Optimization profiles time tactics at the range's ends as well as at opt: the plan records
// min's and max's choices (PlanHeader.profileTactics), and a shape in the range is specialized
// from the tactics of the nearest of min, opt and max (by the log of each dim), so batch 1 of
// 1..8 is not made of kernels tuned for batch 4. The choice of nearest, the plan field's checks
// and round trip, and a timed profile build of a batch-dynamic CNN on the device (lavapipe in CI)
// against onnxruntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import { parsePlan, serializePlan } from '../../src/engine/plan-format.js';
import { Engine } from '../../src/engine/runtime.js';
import { nearestTactics, ProfileEngine } from '../../src/engine/specialize.js';
import { PlanError } from '../../src/errors.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { dynamicBatchConvNet } from '../helpers/dynamic-models.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

test('a shape takes the tactics recorded nearest it: batch 2 of 1..32 min\'s, 7 opt\'s (16), 24 max\'s', () => {
  const map = (t: string) => new Map([['fc', t]]);
  const recorded = [
    { shapes: { x: [16, 64] }, tactics: map('opt') },
    { shapes: { x: [1, 64] }, tactics: map('min') },
    { shapes: { x: [32, 64] }, tactics: map('max') },
  ];
  const at = (b: number) => nearestTactics(recorded, { x: [b, 64] }).get('fc');
  assert.deepEqual([1, 2, 7, 16, 24, 32].map(at), ['min', 'min', 'opt', 'opt', 'max', 'max']);
  assert.equal(nearestTactics(recorded.slice(0, 1), { x: [1, 64] }).get('fc'), 'opt', 'only opt recorded (an older plan)');
});

const skip = webgpuSkip();
const dawn = skip ? undefined : await createDawnGpu();
process.on('exit', () => void dawn); // keeps Dawn's GPU object alive as long as its devices

/** The batch-dynamic CNN of the dynamic-shapes tests: conv → relu → pool → 1×1 conv → flatten → gemm → softmax. */
const model = dynamicBatchConvNet();
const profile = [{ name: 'x', min: [1, 3, 8, 8], opt: [4, 3, 8, 8], max: [8, 3, 8, 8] }];

test('a timed profile build records min\'s and max\'s tactics; the plan keeps them through a file; batch 1 is made from min\'s and agrees with onnxruntime', { skip }, async () => {
  const gpu = await sharedGpuDevice(dawn!);
  const { graph } = importOnnx(model);
  const plan = await buildEnginePlan(gpu, graph, { x: [4, 3, 8, 8] }, { precision: 'fp32' }, { profile });
  const ends = plan.header.profileTactics;
  assert.ok(ends?.min && ends.max, 'tactics recorded at both ends');
  for (const end of [ends.min!, ends.max!]) assert.deepEqual(Object.keys(end).sort(), plan.layers.map((l) => l.name).sort(), 'a tactic for every layer');
  const again = parsePlan(serializePlan(plan));
  assert.deepEqual(again.header.profileTactics, ends);

  const engine = await Engine.load(gpu, again);
  const counts = { specializations: 0, specializationMs: 0 };
  const pe = await ProfileEngine.create(gpu, graph, engine, { precision: 'fp32' }, counts);
  try {
    const x1 = randomTensor([1, 3, 8, 8], 115);
    const context = await pe.contextAt({ x: [1, 3, 8, 8] });
    assert.deepEqual(Object.fromEntries(context.engine.plan.layers.map((l) => [l.name, l.tactic])), ends.min, 'batch 1 from min\'s tactics');
    const got = (await context.run({ x: x1 })).y!;
    const want = (await runOrt(model, { x: x1 })).y!;
    const c = compareTensors(got, want, { atol: 1e-4, rtol: 1e-3 });
    assert.ok(c.pass, JSON.stringify(c));
  } finally {
    pe.dispose();
    engine.dispose();
  }
  // untimed builds record nothing (each layer takes its first candidate everywhere)
  const untimed = await buildEnginePlan(gpu, graph, { x: [4, 3, 8, 8] }, { precision: 'fp32', timeTactics: false }, { profile });
  assert.equal(untimed.header.profileTactics, undefined);
});

test('a malformed profileTactics field is a PlanError naming it', { skip }, async () => {
  const gpu = await sharedGpuDevice(dawn!);
  const { graph } = importOnnx(model);
  const plan = await buildEnginePlan(gpu, graph, { x: [4, 3, 8, 8] }, { precision: 'fp32', timeTactics: false }, { profile });
  const bad = { ...plan, header: { ...plan.header, profileTactics: { min: { fc: 7 as unknown as string } } } };
  assert.throws(() => parsePlan(serializePlan(bad)), (e: unknown) => e instanceof PlanError && /header\.profileTactics\.min\["fc"\]/.test(`${e.message} ${(e as PlanError & { where?: string }).where ?? ''}`));
});
