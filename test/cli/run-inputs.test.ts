// `nnrt run --random-inputs --seed N` feeds seeded tensors (checked against onnxruntime on the same
// tensors), and the --image flags build the transform they describe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { imageTransform } from '../../src/cli/run-inputs.js';
import { loadOnnxFile, readTensorPb } from '../../src/node/files.js';
import { sampleInputs } from '../../src/runtime/sample-inputs.js';
import { createImage } from '../../src/vision/image.js';

const root = new URL('../../', import.meta.url).pathname;
const model = join(root, 'models/squeezenet1_1/model.onnx');

test('run --random-inputs --seed: seeded inputs, outputs as onnxruntime computes them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-run-random-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'run', model, '--random-inputs', '--seed', '7', '--output', dir], { encoding: 'utf8', cwd: root });
    assert.equal(r.status, 0, r.stderr);
    const session = await ort.InferenceSession.create(model);
    const graph = loadOnnxFile(model).graph;
    const x = sampleInputs(graph, 7)[session.inputNames[0]!]!;
    assert.deepEqual(x.data, sampleInputs(graph, 7)[session.inputNames[0]!]!.data, 'same seed, same tensor');
    const want = (await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x.data as Float32Array, [1, 3, 224, 224]) }))[session.outputNames[0]!]!.data as Float32Array;
    const got = readTensorPb(join(dir, 'output_0.pb')).tensor.data as Float32Array;
    const worst = want.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i]!)), 0);
    assert.ok(worst < 1e-4, `max |diff| ${worst} from onnxruntime`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--preprocess none keeps raw pixels; --scale/--mean/--std apply per channel', () => {
  const img = createImage(2, 2, 3, Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]));
  const raw = imageTransform({ preprocess: 'none' }, [2, 2])(img);
  assert.deepEqual(raw.shape, [3, 2, 2]);
  assert.deepEqual(Array.from(raw.data, (v) => Number(v.toFixed(3))), [0, 30, 60, 90, 10, 40, 70, 100, 20, 50, 80, 110]);
  const norm = imageTransform({ preprocess: 'none', scale: 1, mean: '10,20,30', std: '2' }, [2, 2])(img);
  assert.deepEqual(Array.from(norm.data, (v) => Number(v.toFixed(3))), [-5, 10, 25, 40, -5, 10, 25, 40, -5, 10, 25, 40]);
  assert.throws(() => imageTransform({ preprocess: 'bgr' }, [2, 2]), /--preprocess takes imagenet or none/);
});
