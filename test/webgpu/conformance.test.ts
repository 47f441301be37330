// The ONNX backend node tests of every op with a WGSL kernel, on WebGPU: the same folders the CPU
// suites run. Each must pass and run its op on the GPU, except for the documented CPU fallbacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listDataSets, verifyModel } from '../../src/node/backend-test.js';
import { exclusionFor } from '../../src/node/conformance-exclusions.js';
import { hasKernel } from '../../src/ops/registry.js';
import { webgpuSkip } from './gpu-available.js';

/** Cases where the op's WGSL kernel declines the node and its CPU kernel runs instead, and why. */
const CPU_FALLBACKS: { folder: RegExp; reason: RegExp }[] = [
  { folder: /^test_(max|average)pool_3d/, reason: /3-D pooling/ }, // only 1-D and 2-D windows have a shader
  { folder: /^test_maxpool_with_argmax/, reason: /Indices output/ },
  { folder: /^test_maxpool_2d_uint8$/, reason: /pooling of uint8/ },
  { folder: /^test_batchnorm_.*training_mode$/, reason: /training mode/ },
  { folder: /^test_(training_)?dropout.*mask/, reason: /mask output/ },
  { folder: /^test_training_dropout/, reason: /training mode/ },
  { folder: /^test_reduce_(max|min)_bool_inputs$/, reason: /of bool/ },
  // float8/float4/int4/int2/bfloat16/double targets round onto grids the device kernel does not implement
  { folder: /^test_cast_/, reason: /rounds onto a grid/ },
  { folder: /^test_(de)?quantizelinear_(e4m3fn|e5m2|float4e2m1)/, reason: /float8|float4/ },
  { folder: /^test_(de)?quantizelinear_blocked/, reason: /blocked/ },
  // string tensors never reach the device: such graphs run on the host
  { folder: /^test_equal_string/, reason: /the graph runs on the host/ },
  // sequences and optionals stay on the host too: the Identity that forwards one is a host step between GPU stages
  { folder: /^test_identity_(opt|sequence)$/, reason: /sequences and optionals run on the host between GPU stages/ },
  // roi is read on the host only when it is a constant; these tests feed it as a graph input
  { folder: /^test_resize_tf_crop_and_resize/, reason: /computed roi/ },
  // 64-bit values (and uint32, held as int64) do not fit the device's 32-bit integers
  { folder: /^test_bitcast_(float64|int64|uint32)_/, reason: /not held in 32 bits/ },
];

const fixtures = new URL('../../../shared/fixtures/onnx-node/', import.meta.url).pathname;
const manifest = join(fixtures, 'MANIFEST.tsv');
const folders = existsSync(manifest)
  ? readFileSync(manifest, 'utf8').split('\n').slice(1).map((l) => l.split('\t'))
    .filter((f) => f[1] && f[2] === 'no' && hasKernel('webgpu', '', f[1])).map((f) => f[0]!).sort()
  : [];
const skip = webgpuSkip();

if (folders.length === 0) test('webgpu backend node tests', { skip: `${manifest} is absent` }, () => {});
for (const name of folders) {
  const reason = skip ?? exclusionFor(name, 'webgpu');
  test(`webgpu conformance ${name}`, { skip: reason ?? false }, async () => {
    const dir = join(fixtures, name);
    const { results, stats } = await verifyModel(join(dir, 'model.onnx'), listDataSets(dir), { device: 'webgpu' });
    for (const r of results) for (const o of r.outputs) assert.ok(o.pass, `${o.name}: ${o.reason ?? `max abs err ${o.maxAbsError}`}`);
    for (const f of stats.webgpu!.fallbacks) {
      const allowed = CPU_FALLBACKS.some((x) => x.folder.test(name) && x.reason.test(f.reason));
      assert.ok(allowed, `${f.op} fell back to the CPU: ${f.reason}`);
    }
  });
}
