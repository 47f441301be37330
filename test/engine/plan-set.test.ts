// Several optimization profiles in one plan file (a plan set): the container read back with every
// profile's ranges, damage refused, the older single-plan files still read; then (lavapipe) `nnrt
// build` with two --profile writes ONE file, which runs at shapes of each profile against
// onnxruntime (the first profile holding the shapes, or the one asked for) and refuses shapes
// outside all of them with every range in the error (exit 2 in the CLI).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/node/webgpu.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import { serializePlan, type EnginePlan } from '../../src/engine/plan-format.js';
import { isPlanSet, parsePlans, readPlanSetHeader, serializePlanSet } from '../../src/engine/plan-set.js';
import { PlanError, ProfileError, UsageError } from '../../src/errors.js';
import { encodeTensorProto } from '../../src/onnx/tensor-write.js';
import { createPlanSession } from '../../src/runtime/plan-session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { dynamicBatchConvNet } from '../helpers/dynamic-models.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const root = new URL('../../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'nnrt-planset-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A structurally valid profile plan with no layers (the container does not look inside). */
function emptyPlan(min: number, max: number, source: Uint8Array): EnginePlan {
  return {
    header: {
      format: 'nnrt-plan', formatVersion: 1, nnrtVersion: '0', adapter: { vendor: 'v', architecture: 'a', description: 'd' }, precision: 'fp32',
      graphHash: 'h', inputs: [], outputs: [], profile: [{ name: 'x', min: [min, 4], opt: [min, 4], max: [max, 4] }],
    },
    kernels: [], dispatches: [], layers: [], arenaBytes: 0, naiveBytes: 0, io: { inputs: [], outputs: [] },
    constants: new Uint8Array([1, 2, 3, 4]), source,
  };
}

test('a plan set: one file, every profile read back with its ranges and the shared source; damage refused; single plans still read', () => {
  const source = Uint8Array.from({ length: 4000 }, (_, i) => i % 251);
  const bytes = serializePlanSet([emptyPlan(1, 8, source), emptyPlan(9, 32, source)]);
  assert.ok(isPlanSet(bytes));
  assert.deepEqual(readPlanSetHeader(bytes).profiles.map((p) => p.ranges[0]!.max), [[8, 4], [32, 4]]);
  const plans = parsePlans(bytes);
  assert.equal(plans.length, 2);
  assert.deepEqual(plans.map((p) => p.header.profile![0]!.min), [[1, 4], [9, 4]]);
  for (const p of plans) assert.deepEqual([...p.source!], [...source], 'each profile gets the source stored once');
  // the source is stored once: the set is smaller than two single plans
  assert.ok(bytes.length < serializePlan(emptyPlan(1, 8, source)).length * 2);
  // a flipped byte in the source, in a profile's plan, or a cut file is refused
  const flip = (at: number) => {
    const b = bytes.slice();
    b[at]! ^= 0xff;
    return b;
  };
  assert.throws(() => parsePlans(flip(bytes.length - 10)), (e: Error) => e instanceof PlanError && /corrupt plan set/.test(e.message));
  // 12 bytes before the source: inside profile 1's constants, under its own checksum
  assert.throws(() => parsePlans(flip(bytes.length - 8 - source.length - 12)), (e: Error) => e instanceof PlanError && /profile 1 of the plan set/.test(e.message));
  assert.throws(() => parsePlans(bytes.subarray(0, bytes.length - 3)), (e: Error) => e instanceof PlanError && /truncated plan set/.test(e.message));
  // a single plan is a list of one
  assert.equal(parsePlans(serializePlan(emptyPlan(1, 8, source))).length, 1);
  // a plan of no profile cannot join a set
  const fixed = emptyPlan(1, 8, source);
  delete fixed.header.profile;
  assert.throws(() => serializePlanSet([fixed]), PlanError);
});

const cnn = dynamicBatchConvNet();

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function dataSet(dir: string, batch: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const x = randomTensor([batch, 3, 8, 8], 60 + batch);
  writeFileSync(join(dir, 'input_0.pb'), encodeTensorProto('x', x));
  writeFileSync(join(dir, 'output_0.pb'), encodeTensorProto('y', (await runOrt(cnn, { x })).y!));
  return dir;
}

test('build with two profiles writes one plan; it runs at shapes of each against onnxruntime and refuses the rest', { skip }, async () => {
  const model = join(tmp, 'cnn.onnx');
  writeFileSync(model, cnn);
  const plan = join(tmp, 'cnn.plan');
  const built = cli(['build', model, '--no-tactics', '--quiet', '--profile', 'x=1x3x8x8:4x3x8x8:8x3x8x8', '--profile', 'x=6x3x8x8:16x3x8x8:24x3x8x8', '--out', plan]);
  assert.equal(built.code, 0, built.out + built.err);
  assert.match(built.out, /2 profiles in one plan/);
  const bytes = new Uint8Array(readFileSync(plan));
  assert.deepEqual(readPlanSetHeader(bytes).profiles.map((p) => p.ranges), [
    [{ name: 'x', min: [1, 3, 8, 8], opt: [4, 3, 8, 8], max: [8, 3, 8, 8] }],
    [{ name: 'x', min: [6, 3, 8, 8], opt: [16, 3, 8, 8], max: [24, 3, 8, 8] }],
  ]);

  const gpu = await sharedGpuDevice(await defaultGpu());
  const s = await createPlanSession(gpu, bytes);
  try {
    // 7 is in both: the first profile holding it runs it (TensorRT's default)
    for (const [batch, profile] of [[3, 0], [20, 1], [7, 0], [24, 1]] as const) {
      const x = randomTensor([batch, 3, 8, 8], batch);
      const c = compareTensors((await s.run({ x })).y!, (await runOrt(cnn, { x })).y!, { atol: 1e-4, rtol: 1e-3 });
      assert.ok(c.pass, `batch ${batch}: max abs ${c.maxAbsError}`);
      assert.equal(s.planStats().profile, profile, `batch ${batch} runs on profile ${profile}`);
    }
    assert.deepEqual(s.inputs[0]!.shape, ['x_d0', 3, 8, 8]);
    await assert.rejects(s.run({ x: randomTensor([25, 3, 8, 8], 1) }), (e: Error) => {
      assert.ok(e instanceof ProfileError, e.name);
      assert.match(e.message, /\[25,3,8,8\], outside every optimization profile \(profile 0: x \[1,3,8,8\]\.\.\[8,3,8,8\] \(opt \[4,3,8,8\]\) \| profile 1: x \[6,3,8,8\]\.\.\[24,3,8,8\]/);
      return true;
    });
  } finally {
    s.dispose();
  }
  // an explicit profile: 7 on profile 1; 3 is outside it even though profile 0 holds it
  const p1 = await createPlanSession(gpu, bytes, { profile: 1 });
  try {
    const x = randomTensor([7, 3, 8, 8], 77);
    assert.ok(compareTensors((await p1.run({ x })).y!, (await runOrt(cnn, { x })).y!, { atol: 1e-4, rtol: 1e-3 }).pass);
    assert.equal(p1.planStats().profile, 1);
    await assert.rejects(p1.run({ x: randomTensor([3, 3, 8, 8], 1) }), (e: Error) => e instanceof ProfileError && /outside profile 1, the one asked for/.test(e.message));
  } finally {
    p1.dispose();
  }
  await assert.rejects(createPlanSession(gpu, bytes, { profile: 2 }), (e: Error) => e instanceof UsageError && /profiles 0\.\.1/.test(e.message));

  // the CLI: one data set per profile passes; outside every profile exit 2
  const ok = cli(['verify', plan, await dataSet(join(tmp, 'b2'), 2), await dataSet(join(tmp, 'b12'), 12)]);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /all pass/);
  assert.match(ok.out, /plan profiles: 2; the last data set ran on profile 1/);
  const out = cli(['verify', plan, await dataSet(join(tmp, 'b30'), 30)]);
  assert.equal(out.code, 2, out.out + out.err);
  assert.match(out.err, /ProfileError: input 'x' has shape \[30,3,8,8\], outside every optimization profile \(profile 0: .* \| profile 1: /);
  const asked = cli(['verify', plan, join(tmp, 'b2'), '--plan-profile', '1']);
  assert.equal(asked.code, 2, asked.out + asked.err);
  assert.match(asked.err, /outside profile 1, the one asked for/);
});
