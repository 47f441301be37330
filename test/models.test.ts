// The shared torchvision models (onnxruntime's outputs as reference) pass on the CPU framework
// with the default fp32 tolerance (atol 1e-4, rtol 1e-3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listDataSets, verifyModel } from '../src/node/backend-test.js';
import { FP32_TOLERANCE } from '../src/tensor/compare.js';

const models = new URL('../../shared/models/', import.meta.url).pathname;

for (const name of ['squeezenet1_1', 'shufflenet_v2_x0_5']) {
  const dir = join(models, name);
  test(`${name} matches onnxruntime's output on the CPU`, { skip: existsSync(dir) ? false : `${dir} is absent` }, async () => {
    const { results } = await verifyModel(join(dir, 'model.onnx'), listDataSets(dir), { device: 'cpu', tolerance: FP32_TOLERANCE });
    assert.equal(results.length, 1);
    const [out] = results[0]!.outputs;
    assert.deepEqual(out!.shape, [1, 1000]);
    assert.ok(out!.pass, `max abs ${out!.maxAbsError}, max rel ${out!.maxRelError}, ${out!.mismatches} mismatches`);
  });
}
