// The engine through the real CLI (`node --import tsx src/cli/main.ts`), on lavapipe here:
// `nnrt build` → plan file → `nnrt verify PLAN` against the shared model's ONNX reference data;
// the engine cache across processes (second process loads, corrupt entry rebuilt with a warning);
// `nnrt build` of a model with unsupported ops; `verify --engine webgpu` with forced fallback;
// NNRT_USE_ENGINE=0; bad options. Every build here runs with --no-tactics (timing is slow on a CPU
// Vulkan driver; engine-e2e.test.ts covers it).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlan } from '../../src/engine/plan-format.js';
import { encodeTensorProto } from '../../src/onnx/tensor-write.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { smallCnnModel } from '../helpers/small-model.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const root = new URL('../../', import.meta.url).pathname;
const models = join(root, '../shared/models');
const squeezenet = join(models, 'squeezenet1_1/model.onnx');
const squeezenetData = join(models, 'squeezenet1_1/test_data_set_0');
const skip = webgpuSkip() ?? (existsSync(squeezenet) ? false : `${models} is absent`);
const tmp = mkdtempSync(join(tmpdir(), 'nnrt-engine-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8', cwd: root, env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectPass(r: ReturnType<typeof cli>, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.out}\n${r.err}`);
  assert.match(r.out, /all pass/, what);
}

/** The small CNN as a model folder with one data set whose reference output comes from onnxruntime. */
async function smallModelFolder(): Promise<string> {
  const dir = join(tmp, 'small');
  const data = join(dir, 'test_data_set_0');
  mkdirSync(data, { recursive: true });
  const model = smallCnnModel();
  writeFileSync(join(dir, 'model.onnx'), model);
  const x = randomTensor([1, 2, 6, 6], 21);
  writeFileSync(join(data, 'input_0.pb'), encodeTensorProto('x', x));
  writeFileSync(join(data, 'output_0.pb'), encodeTensorProto('y', (await runOrt(model, { x })).y!));
  return join(dir, 'model.onnx');
}

test('nnrt build writes a plan; nnrt verify PLAN passes against the ONNX reference data', { skip }, () => {
  const plan = join(tmp, 'x.plan');
  const built = cli(['build', squeezenet, '--no-tactics', '--quiet', '--out', plan]);
  assert.equal(built.code, 0, built.err);
  assert.match(built.out, new RegExp(`built ${plan.replace(/[.\\/]/g, '\\$&')} \\(\\d+\\.\\d+ MiB\\)`));
  assert.match(built.out, /\d+ nodes -> \d+ layers \(\d+ fused\)/);
  const header = parsePlan(new Uint8Array(readFileSync(plan))).header;
  assert.equal(header.precision, 'fp32');
  assert.deepEqual(header.inputs.map((i) => i.shape), [[1, 3, 224, 224]]);

  const verified = cli(['verify', plan, squeezenetData]);
  expectPass(verified, 'verify plan');
  assert.match(verified.out, /device webgpu {2}engine webgpu \(plan\)/);

  // a plan built for fp32 is refused when fp16 is asked for
  const wrong = cli(['verify', plan, squeezenetData, '--precision', 'fp16']);
  assert.equal(wrong.code, 2, wrong.err);
  assert.match(wrong.err, /^nnrt: PlanError: plan built for fp32 \(asked fp16\)/m);
});

test('the engine cache: a second process loads the plan; a corrupt entry is removed and rebuilt with a warning', { skip }, async () => {
  const model = await smallModelFolder();
  const cacheDir = join(tmp, 'engine-cache');
  const run = () => cli(['verify', model, '--engine', 'webgpu', '--no-tactics', '--quiet', '--cache-dir', cacheDir, '--min-subgraph-size', '1']);

  const first = run();
  expectPass(first, 'first process');
  assert.match(first.out, /engine_0: built in \d+ ms/);
  const entries = readdirSync(cacheDir);
  assert.equal(entries.length, 1, `one plan in the cache: ${entries.join(', ')}`);
  assert.match(entries[0]!, /^[0-9a-f]{16}\.plan$/);
  const entry = join(cacheDir, entries[0]!);

  const second = run();
  expectPass(second, 'second process');
  assert.match(second.out, /engine_0: loaded from the engine cache in \d+ ms/);
  assert.doesNotMatch(second.out, /engine_0: built/);

  const bytes = readFileSync(entry);
  bytes[bytes.length >> 1]! ^= 0x04;
  writeFileSync(entry, bytes);
  const third = run();
  expectPass(third, 'after damage');
  assert.match(third.err, /engine cache entry .*[0-9a-f]{16}.* removed: .*checksum.*; rebuilding/);
  assert.match(third.out, /engine_0: built in \d+ ms/);
  parsePlan(new Uint8Array(readFileSync(entry))); // the rebuilt entry is intact again

  const fourth = run();
  expectPass(fourth, 'after the rebuild');
  assert.match(fourth.out, /engine_0: loaded from the engine cache/);
  assert.doesNotMatch(fourth.err, /corrupt/);
});

test('nnrt build of a model with ops the engine declines exits 2 and points to --engine webgpu', { skip }, () => {
  // Hardmax is still declined by the engine (ShuffleNet's Transpose is an engine layer now)
  const model = join(tmp, 'hardmax.onnx');
  writeFileSync(model, smallCnnModel({ opType: 'Hardmax' }));
  const r = cli(['build', model, '--no-tactics', '--quiet', '--out', join(tmp, 'hardmax.plan')]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^nnrt: UnsupportedError: the webgpu engine does not support 1 node\(s\) of this model: relu \(Hardmax\): op Hardmax is not supported by the webgpu engine/m);
  assert.match(r.err, /run it with `nnrt verify\|run\|bench --device webgpu --engine webgpu`/);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  assert.equal(existsSync(join(tmp, 'hardmax.plan')), false, 'no plan written');
});

test('verify --engine webgpu --exclude-ops Relu: several engines, framework Relus between them, no device↔host copies', { skip }, () => {
  const r = cli(['verify', squeezenet, squeezenetData, '--engine', 'webgpu', '--exclude-ops', 'Relu', '--no-tactics', '--quiet']);
  expectPass(r, 'forced fallback');
  const [, subgraphs] = /engine webgpu: (\d+) subgraphs with \d+ of \d+ nodes/.exec(r.out) ?? [];
  assert.ok(Number(subgraphs) >= 2, r.out);
  const engines = r.out.match(/^ {2}engine_\d+: built in/gm) ?? [];
  assert.equal(engines.length, Number(subgraphs), 'every subgraph became an engine');
  assert.match(r.out, /declined ×\d+: op Relu excluded by the user \(excludeOps\)/);
  assert.match(r.out, /^device<->host transfers: 0$/m);
  assert.match(r.out, /boundary copies \(device to device\): [1-9]\d*/);
});

test('NNRT_USE_ENGINE=0 turns the engine off with a notice; the framework still passes', { skip }, () => {
  const r = cli(['verify', squeezenet, squeezenetData, '--engine', 'webgpu', '--no-tactics', '--quiet'], { NNRT_USE_ENGINE: '0' });
  expectPass(r, 'engine off');
  assert.match(r.err, /nnrt: NNRT_USE_ENGINE=0: the engine is off; the framework runs the whole graph/);
  assert.doesNotMatch(r.out, /engine webgpu:/, 'no engine report');
});

test('a minimum subgraph size below 1 exits 2 with the message', () => {
  const size = cli(['verify', join(tmp, 'any.onnx'), '--engine', 'webgpu', '--min-subgraph-size', '0']);
  assert.equal(size.code, 2);
  assert.match(size.err, /--min-subgraph-size <n>' argument '0' is invalid\. must be an integer ≥ 1/);
});

test('an unknown op name in --exclude-ops exits 2 with the message', { skip }, () => {
  const op = cli(['verify', squeezenet, squeezenetData, '--engine', 'webgpu', '--exclude-ops', 'NotAnOp', '--quiet']);
  assert.equal(op.code, 2, op.err);
  assert.match(op.err, /^nnrt: UsageError: unknown op name 'NotAnOp' in excludeOps — op names are ONNX op types/m);
  assert.doesNotMatch(op.err, /\n\s+at /, 'no stack trace');
});
