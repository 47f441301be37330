// Implicit int8 through the real CLI on the shared SqueezeNet: `nnrt calibrate` → `nnrt build
// --precision int8 --calibration FILE --layer-precision ...` → `nnrt verify PLAN` against the ONNX
// reference data (onnxruntime fp32) within an int8 tolerance, and the same build inside a session
// (`nnrt verify MODEL --precision int8 --calibration FILE`) and timed beside fp32 (`nnrt bench
// --precision fp32,int8 --calibration FILE`); a cache naming a tensor the model
// lacks is refused naming its line; --calibration or --int8-float without int8 is a usage error.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlan } from '../../src/engine/plan-format.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const root = new URL('../../', import.meta.url).pathname;
const models = join(root, '../shared/models');
const squeezenet = join(models, 'squeezenet1_1/model.onnx');
const data = join(models, 'squeezenet1_1/test_data_set_0');
const skip = webgpuSkip() ?? (existsSync(squeezenet) ? false : `${models} is absent`);
const tmp = mkdtempSync(join(tmpdir(), 'nnrt-int8-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('nnrt calibrate → nnrt build --precision int8 → nnrt verify PLAN; bad caches and flags are refused', { skip }, () => {
  const cache = join(tmp, 'sq.cache');
  const cal = cli(['calibrate', squeezenet, '--data', data, '--algo', 'minmax', '--out', cache, '--quiet']);
  assert.equal(cal.code, 0, cal.err);
  const plan = join(tmp, 'sq.int8.plan');
  const built = cli(['build', squeezenet, '--precision', 'int8', '--calibration', cache, '--layer-precision', '/classifier/classifier.1/Conv=fp32', '--no-tactics', '--quiet', '--out', plan, '--json']);
  assert.equal(built.code, 0, built.err);
  const summary = JSON.parse(built.out) as { precision: string; tactics: { kind: string; from: string[] }[] };
  assert.equal(summary.precision, 'int8');
  assert.equal(parsePlan(new Uint8Array(readFileSync(plan))).header.precision, 'int8');
  const kinds = summary.tactics.map((t) => t.kind);
  assert.equal(kinds.filter((k) => k === 'qlinear').length, 25, 'every conv but the pinned classifier is int8');
  assert.ok(summary.tactics.some((t) => t.kind === 'conv' && t.from.includes('/classifier/classifier.1/Conv')), 'the pinned conv stays float');
  // logits of ~±20 through 25 int8 convolutions, calibrated on this input: within 0.1 + 2%
  const verified = cli(['verify', plan, data, '--atol', '0.1', '--rtol', '0.02']);
  assert.equal(verified.code, 0, `${verified.out}\n${verified.err}`);
  assert.match(verified.out, /all pass/);

  const bad = join(tmp, 'bad.cache');
  copyFileSync(cache, bad);
  appendFileSync(bad, 'no_such_tensor: 3c000000\n');
  const lines = readFileSync(bad, 'utf8').trimEnd().split('\n').length;
  const refused = cli(['build', squeezenet, '--precision', 'int8', '--calibration', bad, '--no-tactics', '--quiet', '--out', join(tmp, 'x.plan')]);
  assert.equal(refused.code, 2, refused.err);
  assert.match(refused.err, new RegExp(`line ${lines} names tensor 'no_such_tensor'`));
  const usage = cli(['build', squeezenet, '--calibration', cache, '--no-tactics', '--quiet', '--out', join(tmp, 'y.plan')]);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--calibration goes with --precision int8/);

  // the same int8 build inside a session, no plan file: nnrt verify MODEL --precision int8 --calibration FILE
  const engine = ['--device', 'webgpu', '--engine', 'webgpu', '--no-tactics', '--quiet', '--atol', '0.1', '--rtol', '0.02'];
  const session = cli(['verify', squeezenet, data, ...engine, '--precision', 'int8', '--calibration', cache, '--layer-precision', '/classifier/classifier.1/Conv=fp32', '--verbose']);
  assert.equal(session.code, 0, `${session.out}\n${session.err}`);
  assert.match(session.out, /all pass/);
  assert.equal((session.err.match(/→ int8 /g) ?? []).length, 25, 'every conv but the pinned classifier is int8 in the session\'s engine');
  const sessionBad = cli(['verify', squeezenet, data, ...engine, '--precision', 'int8', '--calibration', bad]);
  assert.equal(sessionBad.code, 2, sessionBad.err);
  assert.match(sessionBad.err, new RegExp(`line ${lines} names tensor 'no_such_tensor'`));
  const noEngine = cli(['verify', squeezenet, data, '--precision', 'int8', '--calibration', cache]);
  assert.equal(noEngine.code, 2);
  assert.match(noEngine.err, /--precision int8 runs in the webgpu engine/);
  const onPlan = cli(['verify', plan, data, '--precision', 'int8', '--calibration', cache]);
  assert.equal(onPlan.code, 2);
  assert.match(onPlan.err, /--calibration goes with a model/);

  // nnrt bench times the int8 engine beside the fp32 one; an int8 row agrees by cosine similarity
  const json = join(tmp, 'bench.json');
  const timed = cli(['bench', squeezenet, '--device', 'webgpu', '--engine', 'webgpu', '--precision', 'fp32,int8', '--calibration', cache,
    '--no-peers', '--mode', 'e2e', '--runs', '2', '--warmup', '0', '--warmup-ms', '0', '--no-tactics', '--quiet', '--json', json]);
  assert.equal(timed.code, 0, `${timed.out}\n${timed.err}`);
  const rows = (JSON.parse(readFileSync(json, 'utf8')) as { models: { rows: { id: string; status: string; agree?: boolean; minCosine?: number; precision: string }[]; reference?: string }[] }).models[0]!;
  assert.equal(rows.reference, 'nnrt-webgpu-engine');
  const int8Row = rows.rows.find((r) => r.id === 'nnrt-webgpu-engine-int8');
  assert.deepEqual(int8Row && [int8Row.status, int8Row.precision, int8Row.agree, int8Row.minCosine], ['ok', 'int8', true, 0.99], JSON.stringify(rows.rows));
  // --int8-float fp16: the layers int8 does not take in fp16, a row of its own name
  const json16 = join(tmp, 'bench16.json');
  const timed16 = cli(['bench', squeezenet, '--device', 'webgpu', '--engine', 'webgpu', '--precision', 'int8', '--int8-float', 'fp16', '--calibration', cache,
    '--no-peers', '--mode', 'e2e', '--runs', '2', '--warmup', '0', '--warmup-ms', '0', '--no-tactics', '--quiet', '--json', json16]);
  assert.equal(timed16.code, 0, `${timed16.out}\n${timed16.err}`);
  const rows16 = (JSON.parse(readFileSync(json16, 'utf8')) as { models: { rows: { id: string; status: string; label: string }[] }[] }).models[0]!.rows;
  assert.deepEqual(rows16.map((r) => [r.id, r.status]), [['nnrt-webgpu-engine-int8+fp16', 'ok']], JSON.stringify(rows16));
  const floatAlone = cli(['bench', squeezenet, '--device', 'webgpu', '--engine', 'webgpu', '--precision', 'fp16', '--int8-float', 'fp16', '--no-peers']);
  assert.equal(floatAlone.code, 2);
  assert.match(floatAlone.err, /--int8-float goes with an int8 row/);
  const badFloat = cli(['bench', squeezenet, '--device', 'webgpu', '--engine', 'webgpu', '--precision', 'int8', '--int8-float', 'bf16', '--calibration', cache, '--no-peers']);
  assert.equal(badFloat.code, 2);
  assert.match(badFloat.err, /--int8-float 'bf16' is not fp32 or fp16/);
  const noCache = cli(['bench', squeezenet, '--device', 'webgpu', '--engine', 'webgpu', '--precision', 'int8', '--no-peers']);
  assert.equal(noCache.code, 2);
  assert.match(noCache.err, /--precision int8 needs --calibration FILE/);
  const twoModels = cli(['bench', squeezenet, squeezenet, '--device', 'webgpu', '--engine', 'webgpu', '--precision', 'int8', '--calibration', cache, '--no-peers']);
  assert.equal(twoModels.code, 2);
  assert.match(twoModels.err, /times one model/);
});
