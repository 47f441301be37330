// `nnrt bench` with optimization profiles: one report per shape set; the profile row is one
// session reused at every set (builds stay 1, specializations grow), the static row an engine built
// at that shape, the vsStatic ratio between them; both agree with onnxruntime-node. Shape-set
// parsing and the flags' usage errors run without a GPU.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/node/webgpu.js';
import { benchModels, runnersInModes } from '../../src/bench/bench.js';
import { compareWithStatic, defaultShapeSets, profileRunner, shapeBenchModel, staticRunner } from '../../src/bench/profile-rows.js';
import { modelTable } from '../../src/bench/table.js';
import { parseShapeSet } from '../../src/cli/bench-profiles.js';
import { UsageError } from '../../src/errors.js';
import { peerRunner } from '../../src/node/peers.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import type { Session } from '../../src/runtime/session.js';
import { dynamicBatchConvNet } from '../helpers/dynamic-models.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const root = new URL('../../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'nnrt-bench-profile-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const cnn = dynamicBatchConvNet();
const PROFILE = { x: { min: [1, 3, 8, 8], opt: [4, 3, 8, 8], max: [8, 3, 8, 8] } };

test('--shapes sets: inputs split at the next NAME=, dims with x or commas; default sets are each profile\'s min, opt, max', () => {
  assert.deepEqual(parseShapeSet('x=8,3,224,224'), { x: [8, 3, 224, 224] });
  assert.deepEqual(parseShapeSet('ids=1x128,mask=1x128'), { ids: [1, 128], mask: [1, 128] });
  assert.deepEqual(parseShapeSet('ids=2,64;mask=2,64'), { ids: [2, 64], mask: [2, 64] });
  assert.throws(() => parseShapeSet('x=1x3,x=2x3'), (e: Error) => e instanceof UsageError && /twice/.test(e.message));
  assert.throws(() => parseShapeSet('8x3'), UsageError);
  assert.deepEqual(defaultShapeSets([PROFILE, { x: { min: [8, 3, 8, 8], opt: [9, 3, 8, 8], max: [9, 3, 8, 8] } }]).map((s) => s.x![0]), [1, 4, 8, 9]);
});

test('profile flags: usage errors (exit 2) before anything is built', () => {
  const model = join(tmp, 'cnn.onnx');
  writeFileSync(model, cnn);
  const run = (...a: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'bench', ...a], { encoding: 'utf8', cwd: root });
  for (const [args, message] of [
    [[model, '--shapes', 'x=2x3x8x8', '--no-peers'], /--shapes goes with profile flags/],
    [[model, model, '--profile', 'x=1x3x8x8:4x3x8x8:8x3x8x8'], /profile flags bench one model; 2 given/],
    [[model, '--profile', 'x=1x3x8x8:4x3x8x8:8x3x8x8', '--batch', '2'], /--batch does not combine with profile flags/],
    [[model, '--profile', 'y=1x3x8x8:4x3x8x8:8x3x8x8'], /names input 'y', which the model does not have/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, message);
  }
});

test('profile rows: one session over every shape set (builds 1), static rows built per shape, vsStatic, agreement with onnxruntime-node', { skip }, async () => {
  const sessions: Session[] = [];
  const runners = runnersInModes([profileRunner([PROFILE], 'fp32', undefined, sessions, false), staticRunner('fp32', false), peerRunner('ort-node')], ['e2e']);
  const load = () => importOnnx(cnn).graph;
  const sets = [{ x: [2, 3, 8, 8] }, { x: [4, 3, 8, 8] }, { x: [8, 3, 8, 8] }, { x: [9, 3, 8, 8] }];
  const sources = sets.map((s, k) => ({ name: `cnn ${k}`, load: () => shapeBenchModel('cnn', cnn, load, s, 1) }));
  let models;
  try {
    models = await benchModels(sources, runners, { timing: { warmup: 1, runs: 2, targetMs: 0, minRuns: 1, maxRuns: 2 } });
  } finally {
    for (const s of sessions) s.dispose();
  }
  models.forEach(compareWithStatic);
  assert.equal(sessions.length, 1, 'one profile session for every shape');
  assert.deepEqual(models.map((m) => m.model), ['cnn @ x=2x3x8x8', 'cnn @ x=4x3x8x8', 'cnn @ x=8x3x8x8', 'cnn @ x=9x3x8x8']);
  assert.deepEqual(models.map((m) => m.inputs[0]!.shape[0]), [2, 4, 8, 9]);
  for (const m of models.slice(0, 3)) {
    assert.deepEqual(m.rows.map((r) => r.id), ['nnrt-webgpu-engine-profile', 'nnrt-webgpu-engine-static', 'ort-node']);
    const [profile, fixed, ort] = m.rows;
    for (const r of m.rows) assert.equal(r.status, 'ok', `${m.model} ${r.id}: ${r.reason}`);
    assert.equal(m.reference, 'nnrt-webgpu-engine-profile');
    assert.ok(fixed!.agree && ort!.agree, `${m.model}: static ${fixed!.maxAbsDiff}, onnxruntime ${ort!.maxAbsDiff}`);
    assert.equal(profile!.profileStats!.builds, 1, `${m.model}: still one build`);
    assert.equal(profile!.profileStats!.partitions, 1);
    assert.equal(profile!.profileStats!.profile, 0);
    assert.ok(Math.abs(profile!.vsStatic! - profile!.timing!.median / fixed!.timing!.median) < 1e-12);
    assert.equal(fixed!.profileStats, undefined);
    assert.match(modelTable(m).join('\n'), /vs static .*builds\/specializations/);
  }
  // 2 was specialized; 4 (opt) and 8 (max) came with the build
  assert.deepEqual(models.slice(0, 3).map((m) => m.rows[0]!.profileStats!.specializations), [1, 1, 1]);
  // outside the profile: the profile row is n/a with the ProfileError; the others still run
  const [outside, staticOutside] = models[3]!.rows;
  assert.equal(outside!.status, 'n/a');
  assert.match(outside!.reason!, /ProfileError: input 'x' has shape \[9,3,8,8\], outside every optimization profile/);
  assert.equal(staticOutside!.status, 'ok');
});
