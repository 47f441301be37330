// `nnrt calibrate` through the real CLI: --data batch folders of TensorProtos and --images JPEG/PNG
// files, the cache file it writes (min-max scales checked against the data), --quiet, atomic
// replacement, and the usage errors.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTensorProto } from '../../src/onnx/tensor-write.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor } from '../helpers/ort-reference.js';
import { smallCnnModel } from '../helpers/small-model.js';

const root = new URL('../../', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'nnrt-calibrate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'calibrate', ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const model = join(tmp, 'cnn.onnx');
writeFileSync(model, smallCnnModel());
const data = join(tmp, 'data');
const inputs = [randomTensor([1, 2, 6, 6], 11, -2, 2), randomTensor([1, 2, 6, 6], 12, -3, 1)];
for (const [i, x] of inputs.entries()) {
  mkdirSync(join(data, `batch_${i}`), { recursive: true });
  writeFileSync(join(data, `batch_${i}`, 'input_0.pb'), encodeTensorProto('x', x));
}
const f32 = (v: number) => Math.fround(v);

test('--data: one line per float activation, min-max scale of the input from the data', () => {
  const out = join(tmp, 'cnn.calib');
  const r = cli([model, '--data', data, '--algo', 'minmax', '--out', out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /calibrated 7 tensors over 2 batch\(es\) with minmax/);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.match(lines[0]!, /^TRT-NNRT\d+-MinMaxCalibration$/);
  assert.deepEqual(lines.slice(1).map((l) => l.split(': ')[0]), ['x', 'c', 'r', 'p', 'f', 'l', 'y']);
  const amax = Math.max(...inputs.flatMap((t) => Array.from(t.data, Math.abs)));
  const hex = lines.find((l) => l.startsWith('x: '))!.slice(3);
  assert.equal(Buffer.from(hex, 'hex').readFloatBE(0), f32(amax / 127));
  assert.deepEqual(readdirSync(tmp).filter((f) => f.includes('.tmp-')), [], 'no temporary file left');
});

test('--images: preprocessed images, entropy by default, --quiet prints nothing', () => {
  const img = join(tmp, 'img.onnx');
  writeFileSync(img, oneNodeModel({ op: 'Relu', inputs: { x: new Tensor('float32', [2, 3, 8, 8]) }, inputOrder: ['x'], outputs: ['y'] }));
  const out = join(tmp, 'img.calib');
  const r = cli([img, '--images', join(root, 'test/fixtures/images'), '--preprocess', 'none', '--size', '8', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '');
  assert.equal(r.err, '', 'no progress bar off a terminal');
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.match(lines[0]!, /EntropyCalibration2$/);
  assert.deepEqual(lines.slice(1).map((l) => l.split(': ')[0]), ['x', 'y']);
  // raw 0–255 pixels: the threshold lies within the pixel range
  const x = Buffer.from(lines[1]!.split(': ')[1]!, 'hex').readFloatBE(0) * 127;
  assert.ok(x > 50 && x <= 255.01, String(x));
});

test('an existing cache is replaced whole; a folder in the way is an error and leaves nothing', () => {
  const out = join(tmp, 'replace.calib');
  writeFileSync(out, 'old contents that are longer than nothing\n'.repeat(200));
  assert.equal(cli([model, '--data', join(data, 'batch_0'), '--algo', 'percentile', '--out', out, '-q']).code, 0);
  const text = readFileSync(out, 'utf8');
  assert.match(text, /^TRT-NNRT\d+-PercentileCalibration\n/);
  assert.ok(!text.includes('old contents'));
  mkdirSync(join(tmp, 'dir.calib'));
  const r = cli([model, '--data', data, '--out', join(tmp, 'dir.calib')]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /directory is in the way/);
  assert.deepEqual(readdirSync(tmp).filter((f) => f.includes('.tmp-')), []);
});

test('usage errors', () => {
  const cases: [string[], RegExp][] = [
    [[model, '--data', data], /--out FILE/],
    [[model, '--out', join(tmp, 'a'), '--data', data, '--images', data], /exactly one of --data/],
    [[model, '--out', join(tmp, 'a')], /exactly one of --data/],
    [[model, '--out', join(tmp, 'a'), '--data', join(tmp, 'nowhere')], /is not a folder/],
    [[model, '--out', join(tmp, 'a'), '--data', tmp], /no input_\*\.pb/],
    [[model, '--out', join(tmp, 'a'), '--images', join(root, 'test/fixtures/images')], /\[N,3,H,W\]/],
    [[model, '--out', join(tmp, 'a'), '--data', data, '--percentile', '99'], /goes with --algo percentile/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, pattern);
  }
  const r = cli([model, '--out', join(tmp, 'a'), '--data', data, '--algo', 'kl']);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /Allowed choices are entropy, minmax, percentile/);
});

test('--check: a cache that fits, one for another model (line named), one missing a tensor, a malformed one', () => {
  const good = join(tmp, 'check.calib');
  assert.equal(cli([model, '--data', data, '--algo', 'minmax', '--out', good, '-q']).code, 0);
  const ok = cli([model, '--check', good]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /fits .*: 7 tensor scales \(TRT-NNRT\d+-MinMaxCalibration\)/);
  // TensorRT's own unnamed tensors are skipped
  const trt = join(tmp, 'trt.calib');
  writeFileSync(trt, readFileSync(good, 'utf8').replace('\n', '\n(Unnamed Layer* 3) [Shuffle]_output: 3c010a14\n').replace(/^TRT-NNRT\d+-/, 'TRT-8601-'));
  assert.equal(cli([model, '--check', trt]).code, 0);
  const lines = readFileSync(good, 'utf8').trim().split('\n');
  const cases: [string, RegExp][] = [
    [[...lines.slice(0, 3), 'resnet/conv1: 3c010a14', ...lines.slice(3)].join('\n'), /line 4 names tensor 'resnet\/conv1', which the model does not have/],
    [lines.filter((l) => !l.startsWith('r: ')).join('\n'), /no scale for tensor 'r'/],
    [[...lines.slice(0, 2), 'c 3c010a14', ...lines.slice(3)].join('\n'), /line 3 is not 'tensor_name: <hex scale>'/],
  ];
  for (const [i, [text, pattern]] of cases.entries()) {
    const file = join(tmp, `bad${i}.calib`);
    writeFileSync(file, text);
    const r = cli([model, '--check', file]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, pattern);
    assert.match(r.err, /CalibrationError|bad\d\.calib/);
  }
});
