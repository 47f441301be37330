// `nnrt run MODEL --image ...` through the real CLI on the committed photographs
// (test/fixtures/images, SOURCES.md) with SqueezeNet 1.1 (random weights, so the classes mean
// nothing): the logits it writes must equal onnxruntime-node's on the same preprocessed tensor
// (the preprocessing itself is checked against an independent reference in
// preprocess-photos.test.ts), the printed top-k must be onnxruntime's, and bad images exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { readTensorPb } from '../../src/node/files.js';
import { readImage } from '../../src/node/images.js';
import { ModelProto } from '../../src/onnx/proto.js';
import { IMAGENET_CLASSES } from '../../src/vision/imagenet-labels.js';
import { imagenetPreprocess } from '../../src/vision/imagenet.js';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/images');
const modelPath = join(root, '../shared/models/squeezenet1_1/model.onnx');
const skip = existsSync(modelPath) ? false : '../shared/models is absent';
const dir = mkdtempSync(join(tmpdir(), 'nnrt-images-'));
const photos = ['chelsea.jpg', 'camera.png', 'coffee.png', 'astronaut.jpg'].map((f) => join(fixtures, f));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** SqueezeNet with its batch dimension replaced: a number (fixed) or a name (any batch). */
function withBatch(dim: number | string): string {
  const m = ModelProto.decode(readFileSync(modelPath)) as unknown as {
    graph: { input: { type: { tensorType: { shape: { dim: object[] } } } }[]; output: typeof m.graph.input };
  };
  const d = typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim };
  m.graph.input[0]!.type.tensorType.shape.dim[0] = d;
  m.graph.output[0]!.type.tensorType.shape.dim[0] = d;
  const file = join(dir, `squeezenet_batch_${dim}.onnx`);
  writeFileSync(file, ModelProto.encode(m as never).finish());
  return file;
}

/** onnxruntime's logits for each photo, fed our preprocessed tensor one image at a time. */
async function ortLogits(): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
  const pre = imagenetPreprocess();
  const rows: Float32Array[] = [];
  for (const p of photos) {
    const x = pre(readImage(p));
    const res = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x.data, [1, ...x.shape]) });
    rows.push(Float32Array.from(res[session.outputNames[0]!]!.data as Float32Array));
  }
  return rows;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 + 1e-3 * Math.abs(want[i]!), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

interface JsonResult { scores: string; images: { file: string; top: { index: number; probability: number; label?: string }[] }[] }

/** Checks the printed top-k against onnxruntime's logits: softmax computed here, in float64. */
function assertTopK(result: JsonResult, logits: Float32Array[], k: number) {
  assert.equal(result.scores, 'softmax');
  result.images.forEach((img, i) => {
    const row = logits[i]!;
    const max = Math.max(...row);
    const exp = Array.from(row, (v) => Math.exp(v - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    const sorted = Array.from(row).sort((a, b) => b - a);
    assert.equal(img.top.length, k);
    img.top.forEach((c, rank) => {
      // the class at each rank has onnxruntime's logit of that rank (robust to near-ties swapping)
      assert.ok(Math.abs(row[c.index]! - sorted[rank]!) <= 1e-4 + 1e-3 * Math.abs(sorted[rank]!), `${img.file} rank ${rank}`);
      assert.ok(Math.abs(c.probability - exp[c.index]! / sum) <= 1e-6, `${img.file} rank ${rank} probability`);
      assert.equal(c.label, IMAGENET_CLASSES[c.index]);
    });
  });
}

test('logits equal onnxruntime-node on the same tensor; top-k with ImageNet names', { skip }, async () => {
  const out = join(dir, 'fixed1');
  const r = cli('run', modelPath, ...photos.flatMap((p) => ['--image', p]), '--top', '5', '--json', '--output', out);
  assert.equal(r.code, 0, r.err);
  const got = readTensorPb(join(out, 'output_0.pb')).tensor; // batch 1 model: one run per image, rows joined
  assert.deepEqual(got.shape, [photos.length, 1000]);
  const want = await ortLogits();
  want.forEach((row, i) => assertClose((got.data as Float32Array).subarray(i * 1000, (i + 1) * 1000), row, photos[i]!));
  const result = JSON.parse(r.out) as JsonResult;
  assert.deepEqual(result.images.map((i) => i.file), photos);
  assertTopK(result, want, 5);
});

test('a model with a free batch dimension runs all images in one batch; a fixed batch of 3 pads', { skip }, async () => {
  const want = await ortLogits();
  for (const batch of ['N', 3]) {
    const out = join(dir, `batch_${batch}`);
    const r = cli('run', withBatch(batch), ...photos.flatMap((p) => ['--image', p]), '--json', '--top', '3', '--output', out);
    assert.equal(r.code, 0, r.err);
    const got = readTensorPb(join(out, 'output_0.pb')).tensor;
    assert.deepEqual(got.shape, [photos.length, 1000]);
    want.forEach((row, i) => assertClose((got.data as Float32Array).subarray(i * 1000, (i + 1) * 1000), row, `batch ${batch} ${photos[i]}`));
    assertTopK(JSON.parse(r.out) as JsonResult, want, 3);
  }
});

test('the text listing: one block per image, --labels FILE names', { skip }, async () => {
  const labels = join(dir, 'labels.txt');
  writeFileSync(labels, Array.from({ length: 1000 }, (_, i) => `my class ${i}`).join('\n') + '\n');
  const r = cli('run', modelPath, '--image', photos[0]!, '--top', '2', '--labels', labels);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.match(lines[0]!, /softmax of output 'logits'/);
  assert.equal(lines[1], photos[0]);
  const [best] = (await ortLogits()).map((row) => row.indexOf(Math.max(...row)));
  assert.match(lines[2]!, new RegExp(`^  1\\. +${best}  0\\.\\d{4}  my class ${best}$`));
  assert.match(lines[3]!, /^  2\. +\d+  0\.\d{4}  my class \d+$/);
  assert.match(lines[4]!, /1 image\(s\) preprocessed as ImageNet \(resize 256, crop 224×224\)/);
});

test('bad images and options exit 2 with a typed message naming the problem', { skip }, () => {
  const expect2 = (r: ReturnType<typeof cli>, kind: string, ...mentions: RegExp[]) => {
    assert.equal(r.code, 2, `exit 2, got ${r.code}: ${r.err}`);
    assert.match(r.err, new RegExp(`^nnrt: ${kind}: `), r.err);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    for (const m of mentions) assert.match(r.err, m);
  };
  const jpg = readFileSync(photos[0]!);
  const cut = join(dir, 'cut.jpg');
  writeFileSync(cut, jpg.subarray(0, jpg.length >> 1));
  expect2(cli('run', modelPath, '--image', cut), 'InputError', /cut\.jpg/, /truncated JPEG/);
  const text = join(dir, 'notes.png');
  writeFileSync(text, 'not a picture');
  expect2(cli('run', modelPath, '--image', photos[1]!, '--image', text), 'InputError', /notes\.png/, /not a JPEG or PNG/);
  expect2(cli('run', modelPath, '--image', join(dir, 'missing.jpg')), 'UsageError', /missing\.jpg' does not exist/);
  const few = join(dir, 'few.txt');
  writeFileSync(few, 'cat\ndog\n');
  expect2(cli('run', modelPath, '--image', photos[1]!, '--labels', few), 'UsageError', /has 2 names/, /1000 classes/);
  expect2(cli('run', modelPath, '--top', '3'), 'UsageError', /--top and --labels go with --image/);
  assert.equal(cli('run', modelPath, '--image', photos[1]!, '--top', '0').code, 2);
});
