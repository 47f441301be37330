// The shared torchvision models (onnxruntime outputs as reference) on WebGPU: every node on the
// GPU, no device↔host transfers, outputs within the fp32 tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { listDataSets, verifyModel } from '../../src/node/backend-test.js';
import { webgpuSkip } from './gpu-available.js';

const models = new URL('../../../shared/models/', import.meta.url).pathname;
const names = existsSync(models) ? readdirSync(models).filter((m) => existsSync(join(models, m, 'model.onnx'))).sort() : [];
const skip = webgpuSkip();

if (names.length === 0) test('webgpu shared models', { skip: `${models} is absent` }, () => {});
for (const name of names) {
  test(`webgpu model ${name}`, { skip: skip ?? false }, async () => {
    const dir = join(models, name);
    const { results, stats } = await verifyModel(join(dir, 'model.onnx'), listDataSets(dir), { device: 'webgpu' });
    assert.ok(results.length > 0, 'the model has test data sets');
    for (const r of results) {
      for (const o of r.outputs) assert.ok(o.pass, `${o.name}: max abs err ${o.maxAbsError}, ${o.mismatches} mismatches`);
    }
    assert.deepEqual(stats.webgpu!.fallbacks, [], 'every node runs on the GPU');
    assert.equal(stats.transfers, 0);
  });
}
