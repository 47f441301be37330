// --gpu-features / NNRT_GPU_FEATURES: Dawn is created with the toggles that make an adapter offer
// shader-f16 (NVIDIA) and subgroup matrices; DeviceCaps records what the device got. On lavapipe
// there are no subgroup matrices: the caps say so and asking for them is a notice, not a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from '../../src/bench/types.js';
import { BASELINE_CAPS, deviceCaps } from '../../src/devices/webgpu/caps.js';
import { createGpuDevice } from '../../src/devices/webgpu/device.js';
import { createDawnGpu, gpuFeatureHint, gpuFeatureNotices, gpuFeaturesFromEnvironment, parseGpuFeatures } from '../../src/node/webgpu.js';
import { smallCnnModel } from '../helpers/small-model.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const root = new URL('../../', import.meta.url).pathname;

test('the feature list is checked; the environment variable is read the same way', () => {
  assert.deepEqual(parseGpuFeatures('f16, subgroup-matrix,f16'), ['f16', 'subgroup-matrix']);
  assert.throws(() => parseGpuFeatures('f16,tensor-cores'), /--gpu-features 'tensor-cores' is not one of f16, subgroup-matrix/);
  const saved = process.env.NNRT_GPU_FEATURES;
  try {
    process.env.NNRT_GPU_FEATURES = 'subgroup-matrix';
    assert.deepEqual(gpuFeaturesFromEnvironment(), ['subgroup-matrix']);
    process.env.NNRT_GPU_FEATURES = 'fp8';
    assert.throws(() => gpuFeaturesFromEnvironment(), /NNRT_GPU_FEATURES 'fp8'/);
  } finally {
    if (saved === undefined) delete process.env.NNRT_GPU_FEATURES;
    else process.env.NNRT_GPU_FEATURES = saved;
  }
  assert.deepEqual(BASELINE_CAPS.subgroupMatrix, []);
  assert.equal(BASELINE_CAPS.shaderF16, false);
});

test('with the toggles on, caps record what the adapter offers: shader-f16 as offered, no subgroup matrices on lavapipe', { skip }, async () => {
  const gpu = await createDawnGpu({ gpuFeatures: ['f16', 'subgroup-matrix'] });
  const adapter = (await gpu.requestAdapter())!;
  const offered = new Set<string>(adapter.features);
  const device = await createGpuDevice(gpu);
  try {
    const caps = deviceCaps(device);
    assert.equal(caps.shaderF16, offered.has('shader-f16'), 'shaderF16 follows the adapter');
    if (!offered.has('chromium-experimental-subgroup-matrix')) {
      assert.deepEqual(caps.subgroupMatrix, []);
      assert.deepEqual(gpuFeatureNotices(['f16', 'subgroup-matrix'], caps).filter((l) => l.includes('subgroup-matrix')).length, 1);
    } else {
      assert.ok(caps.subgroupMatrix.length > 0, 'an adapter with the feature lists its configs');
      for (const c of caps.subgroupMatrix) assert.ok(c.M > 0 && c.N > 0 && c.K > 0 && typeof c.componentType === 'string');
    }
    if (offered.has('shader-f16')) assert.deepEqual(gpuFeatureNotices(['f16'], caps), []);
  } finally {
    device.destroy();
  }
});

test('bench --gpu-features on this adapter: the run goes on, the report records the features', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nnrt-gpu-features-'));
  const model = join(dir, 'small.onnx');
  writeFileSync(model, smallCnnModel());
  const json = join(dir, 'out.json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'bench', model, '--device', 'webgpu', '--engine', 'none', '--mode', 'e2e',
    '--no-peers', '--gpu-features', 'f16,subgroup-matrix', '--runs', '1', '--warmup', '0', '--json', json], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stderr);
  const rep = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
  assert.deepEqual(rep.models[0]!.rows.map((x) => [x.id, x.status]), [['nnrt-webgpu', 'ok']]);
  const f = rep.hardware.gpuFeatures!;
  assert.equal(typeof f.shaderF16, 'boolean');
  if (f.subgroupMatrix.length === 0) assert.match(r.stderr, /notice: --gpu-features subgroup-matrix: the adapter offers no/);
});

test('an NVIDIA adapter without f16 or subgroup matrices asked gets a hint naming what it would gain and the flag; others get none', () => {
  const none = gpuFeatureHint('nvidia', []);
  assert.match(none ?? '', /shader-f16 and subgroup matrices \(tensor cores\) only when asked: --gpu-features f16,subgroup-matrix or NNRT_GPU_FEATURES=f16,subgroup-matrix/);
  const half = gpuFeatureHint('NVIDIA', ['f16']);
  assert.ok(half && !half.includes('shader-f16') && half.includes('--gpu-features f16,subgroup-matrix'), half);
  assert.equal(gpuFeatureHint('nvidia', ['f16', 'subgroup-matrix']), undefined);
  assert.equal(gpuFeatureHint('mesa', []), undefined);
  assert.equal(gpuFeatureHint('amd', ['f16']), undefined);
  // commands without --gpu-features name only the variable
  assert.match(gpuFeatureHint('nvidia', [], 'environment') ?? '', /only when asked: NNRT_GPU_FEATURES=f16,subgroup-matrix$/);
});
