// Dynamic shapes through the engine (lavapipe): optimization profiles built once at opt and run at
// other shapes in range against onnxruntime, the build counter staying put; shapes outside every
// profile refused with a ProfileError (exit 2 in the CLI) or built as a new, announced profile;
// without profiles every new-shape rebuild announced; profile plan files built, saved and verified
// at another shape; the framework alone running symbolic dims at any size on the CPU. Every build
// here runs without tactic timing (timing is slow on a CPU Vulkan driver).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/node/webgpu.js';
import { parsePlan } from '../../src/engine/plan-format.js';
import { ProfileError, UsageError } from '../../src/errors.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { encodeTensorProto } from '../../src/onnx/tensor-write.js';
import { createSession, type SessionOptions } from '../../src/runtime/session.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { dynamicAttention, dynamicBatchConvNet } from '../helpers/dynamic-models.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const TOL: Tolerance = { atol: 1e-4, rtol: 1e-3 };
const root = new URL('../../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'nnrt-dynshape-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const cnn = dynamicBatchConvNet();
const attention = dynamicAttention();
const CNN_PROFILE = { x: { min: [1, 3, 8, 8], opt: [4, 3, 8, 8], max: [8, 3, 8, 8] } };

function assertClose(got: Tensor, want: Tensor, what: string): void {
  assert.deepEqual([...got.shape], [...want.shape], `${what}: shape`);
  const c = compareTensors(got, want, TOL);
  assert.ok(c.pass, `${what}: max abs ${c.maxAbsError}, max rel ${c.maxRelError}`);
}

async function engineSession(model: Uint8Array, opts: SessionOptions, notices: string[] = []) {
  return createSession(importOnnx(model).graph, { engine: 'webgpu', timeTactics: false, notice: (l) => notices.push(l), ...opts });
}

test('a conv net with a dynamic batch: one build for the profile 1..8, run at 1, 3 and 8 against onnxruntime', { skip }, async () => {
  const notices: string[] = [];
  const s = await engineSession(cnn, { profiles: [CNN_PROFILE] }, notices);
  try {
    for (const [k, batch] of [1, 3, 8, 3].entries()) {
      const x = randomTensor([batch, 3, 8, 8], 10 + k);
      assertClose((await s.run({ x })).y!, (await runOrt(cnn, { x })).y!, `batch ${batch}`);
      const e = s.stats().engine!;
      assert.equal(e.builds, 1, `batch ${batch}: the build counter stays 1`);
      assert.equal(e.partitions, 1, `batch ${batch}: one partition`);
      assert.equal(e.partition.subgraphs.length, 1, 'the whole net is one engine');
      assert.equal(e.profile, 0);
    }
    // opt and max come with the build; 1 and 3 were specialized once each (3 twice asked, once made)
    assert.equal(s.stats().engine!.specializations, 2);
    assert.deepEqual(notices, [], 'nothing to announce inside the profile');
  } finally {
    s.dispose();
  }
});

test('an attention block with dynamic batch and sequence (head split by a Reshape to Shape(x)): one build for 1..4 × 2..16', { skip }, async () => {
  const s = await engineSession(attention, { profiles: [{ x: { min: [1, 2, 16], opt: [2, 8, 16], max: [4, 16, 16] } }] });
  try {
    for (const [k, shape] of [[1, 2, 16], [2, 8, 16], [3, 5, 16], [4, 16, 16]].entries()) {
      const x = randomTensor(shape, 20 + k);
      assertClose((await s.run({ x })).y!, (await runOrt(attention, { x })).y!, `x [${shape}]`);
    }
    const e = s.stats().engine!;
    assert.equal(e.builds, 1);
    assert.equal(e.partition.subgraphs.length, 1, 'the Shape → Reshape chain stays inside the one engine');
    assert.equal(e.specializations, 2);
  } finally {
    s.dispose();
  }
});

test('outside every profile: a ProfileError naming the input, the shape and each range; or a new profile, announced', { skip }, async () => {
  const s = await engineSession(cnn, { profiles: [CNN_PROFILE, { x: { min: [16, 3, 8, 8], opt: [16, 3, 8, 8], max: [32, 3, 8, 8] } }] });
  try {
    await assert.rejects(s.run({ x: randomTensor([9, 3, 8, 8], 1) }), (e: Error) => {
      assert.ok(e instanceof ProfileError, e.name);
      assert.match(e.message, /input 'x' has shape \[9,3,8,8\], outside every optimization profile/);
      assert.match(e.message, /profile 0: x \[1,3,8,8\]\.\.\[8,3,8,8\] \(opt \[4,3,8,8\]\)/);
      assert.match(e.message, /profile 1: x \[16,3,8,8\]\.\.\[32,3,8,8\]/);
      return true;
    });
    assert.equal(s.stats().engine, undefined, 'nothing was built for the refused shape');
  } finally {
    s.dispose();
  }
  const notices: string[] = [];
  const b = await engineSession(cnn, { profiles: [CNN_PROFILE], onNewShape: 'build' }, notices);
  try {
    for (const batch of [2, 9]) {
      const x = randomTensor([batch, 3, 8, 8], batch);
      assertClose((await b.run({ x })).y!, (await runOrt(cnn, { x })).y!, `batch ${batch}`);
    }
    const e = b.stats().engine!;
    assert.equal(e.builds, 2);
    assert.equal(e.profile, 1);
    assert.deepEqual(e.profiles[1], { x: { min: [9, 3, 8, 8], opt: [9, 3, 8, 8], max: [9, 3, 8, 8] } });
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /x=\[9,3,8,8\] are outside every optimization profile: building profile 1/);
  } finally {
    b.dispose();
  }
});

test('without profiles a new shape is partitioned and built again, announced and counted', { skip }, async () => {
  const notices: string[] = [];
  const s = await engineSession(cnn, {}, notices);
  try {
    for (const batch of [2, 2, 5]) {
      const x = randomTensor([batch, 3, 8, 8], batch);
      assertClose((await s.run({ x })).y!, (await runOrt(cnn, { x })).y!, `batch ${batch}`);
    }
    assert.equal(s.stats().engine!.builds, 2);
    assert.equal(s.stats().engine!.partitions, 2);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /new input shapes x=\[5,3,8,8\]: partitioning and building engines/);
  } finally {
    s.dispose();
  }
});

test('profiles are checked when the session is made', async () => {
  const { graph } = importOnnx(cnn);
  const bad: [object, RegExp][] = [
    [{ x: { min: [4, 3, 8, 8], opt: [2, 3, 8, 8], max: [8, 3, 8, 8] } }, /dim 0 needs min ≤ opt ≤ max, got 4 \/ 2 \/ 8/],
    [{ x: { min: [1, 3, 8, 8], opt: [2, 3, 9, 8], max: [8, 3, 8, 8] } }, /changes dim 2, which the model fixes at 8/],
    [{ y: { min: [1], opt: [1], max: [1] } }, /names input 'y', which the model does not have/],
    [{ x: { min: [1, 3, 8], opt: [1, 3, 8], max: [1, 3, 8] } }, /has rank 3; the input has rank 4/],
  ];
  for (const [profile, message] of bad) {
    await assert.rejects(createSession(graph, { engine: 'webgpu', profiles: [profile as never] }), (e: Error) => e instanceof UsageError && message.test(e.message));
  }
  await assert.rejects(createSession(graph, { profiles: [CNN_PROFILE] }), /profiles are for the webgpu engine/);
});

test('the framework alone runs a symbolic batch and sequence at any size (cpu)', async () => {
  const s = await createSession(importOnnx(attention).graph);
  for (const shape of [[1, 3, 16], [5, 11, 16]]) {
    const x = randomTensor(shape, 3);
    assertClose((await s.run({ x })).y!, (await runOrt(attention, { x })).y!, `cpu x [${shape}]`);
  }
});

test('the framework on webgpu runs 34 sequence lengths and the first again (schedules past the kept 32 are dropped, then rebuilt)', { skip }, async () => {
  const s = await createSession(importOnnx(attention).graph, { device: 'webgpu' });
  try {
    for (const seq of [...Array.from({ length: 34 }, (_, k) => k + 1), 1]) {
      const x = randomTensor([1, seq, 16], seq);
      assertClose((await s.run({ x })).y!, (await runOrt(attention, { x })).y!, `webgpu seq ${seq}`);
    }
  } finally {
    s.dispose();
  }
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function dataSet(dir: string, batch: number): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const x = randomTensor([batch, 3, 8, 8], 40 + batch);
  writeFileSync(join(dir, 'input_0.pb'), encodeTensorProto('x', x));
  writeFileSync(join(dir, 'output_0.pb'), encodeTensorProto('y', (await runOrt(cnn, { x })).y!));
  return dir;
}

test('CLI: build --min/--opt/--max writes a profile plan; verify runs it at batch 3, refuses batch 9 with exit 2', { skip }, async () => {
  const model = join(tmp, 'dyn_cnn.onnx');
  writeFileSync(model, cnn);
  const plan = join(tmp, 'dyn_cnn.plan');
  const built = cli(['build', model, '--no-tactics', '--quiet', '--min', 'x=1x3x8x8', '--opt', 'x=4x3x8x8', '--max', 'x=8x3x8x8', '--out', plan]);
  assert.equal(built.code, 0, built.out + built.err);
  assert.match(built.out, /profile: x \[1,3,8,8\]\.\.\[8,3,8,8\] \(opt \[4,3,8,8\]\)/);
  const header = parsePlan(new Uint8Array(readFileSync(plan)));
  assert.deepEqual(header.header.profile, [{ name: 'x', min: [1, 3, 8, 8], opt: [4, 3, 8, 8], max: [8, 3, 8, 8] }]);
  assert.ok(header.source && header.source.byteLength > 0, 'the plan carries its source graph');
  const ok = cli(['verify', plan, await dataSet(join(tmp, 'b3'), 3), await dataSet(join(tmp, 'b8'), 8)]);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /all pass/);
  const out = cli(['verify', plan, await dataSet(join(tmp, 'b9'), 9)]);
  assert.equal(out.code, 2, out.out + out.err);
  assert.match(out.err, /ProfileError: input 'x' has shape \[9,3,8,8\], outside every optimization profile/);
});

test('CLI: run --engine webgpu with --profile at --shapes; outside it exit 2; bad profile syntax exit 2', { skip }, async () => {
  const model = join(tmp, 'dyn_cnn_run.onnx');
  writeFileSync(model, cnn);
  const args = ['run', model, '--engine', 'webgpu', '--profile', 'x=1x3x8x8:2x3x8x8:4x3x8x8', '--json'];
  const ran = cli([...args, '--shapes', 'x=3x3x8x8']);
  assert.equal(ran.code, 0, ran.out + ran.err);
  assert.deepEqual(JSON.parse(ran.out).outputs.y.shape, [3, 5]);
  const out = cli([...args, '--shapes', 'x=5x3x8x8']);
  assert.equal(out.code, 2, out.out + out.err);
  assert.match(out.err, /outside every optimization profile \(profile 0: x \[1,3,8,8\]\.\.\[4,3,8,8\]/);
  const bad = cli(['run', model, '--engine', 'webgpu', '--profile', 'x=1x3x8x8:2x3x8x8', '--shapes', 'x=1x3x8x8']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /must look like NAME=MIN:OPT:MAX/);
});
