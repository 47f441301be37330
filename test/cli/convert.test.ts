// `nnrt convert` and MXNet checkpoints through the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOnnx } from '../../src/onnx/import/model.js';

const root = new URL('../../', import.meta.url).pathname;
const det = join(root, '../shared/fixtures/mxnet/deepinsight__insightface/mtcnn-model');
const SKIP = existsSync(det) ? false : '../shared/fixtures/mxnet is absent';
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });

test('convert an MXNet checkpoint to ONNX at a chosen opset, then inspect it', { skip: SKIP }, () => {
  const out = join(mkdtempSync(join(tmpdir(), 'nnrt-convert-')), 'det3.onnx');
  const r = cli('convert', join(det, 'det3-symbol.json'), '--shape', 'data=1,3,48,48', '--to', 'onnx', '--opset', '13', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const m = importOnnx(readFileSync(out));
  assert.equal(m.opset, 13);
  assert.deepEqual(m.graph.inputs.map((v) => [v.name, v.shape]), [['data', [1, 3, 48, 48]]]);
  const i = cli('inspect', join(det, 'det3'), '--shape', 'data=1,3,48,48', '--json');
  assert.equal(i.status, 0, i.stderr);
  assert.equal(JSON.parse(i.stdout).format, 'mxnet');
});

test('MXNet options are checked: a missing epoch and options on an ONNX file exit 2', { skip: SKIP }, () => {
  const r = cli('inspect', join(det, 'det1-symbol.json'), '--epoch', '7', '--shape', 'data=1,3,12,12');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /det1-0007\.params' does not exist/);
  const o = cli('convert', join(root, 'nope.onnx'), '--to', 'onnx');
  assert.equal(o.status, 2);
  assert.match(o.stderr, /does not exist/);
  const bad = cli('convert', join(det, 'det1-symbol.json'), '--to', 'tflite');
  assert.equal(bad.status, 2);
});
