// GatherElements' WGSL kernel against onnxruntime: every axis of a 3-D tensor, negative indices,
// float and int data, with no CPU fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('GatherElements on WebGPU matches onnxruntime on every axis, with negative indices', { skip }, async () => {
  const cases: [Tensor, number][] = [[randomTensor([5, 6, 7], 3), 0], [randomTensor([5, 6, 7], 4), 1], [randomTensor([5, 6, 7], 5), -1],
    [Tensor.fromNumeric('int32', [4, 9], Array.from({ length: 36 }, (_, i) => i * 7 - 100)), 1]];
  for (const [data, axis] of cases) {
    const a = (axis + data.rank) % data.rank;
    const n = data.shape[a]!;
    const shape = data.shape.map((d, i) => (i === a ? 8 : d - 1));
    const count = shape.reduce((p, d) => p * d, 1);
    const idx = Tensor.fromNumeric('int64', shape, Array.from({ length: count }, (_, i) => ((i * 37) % (2 * n)) - n));
    const spec = { op: 'GatherElements', opset: 13, attrs: { axis }, inputs: { data, idx }, inputOrder: ['data', 'idx'], outputs: ['y'] };
    const model = oneNodeModel(spec);
    const want = await runOrt(model, spec.inputs);
    const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
    const got = await session.run(spec.inputs);
    const c = compareTensors(got.y!, want.y!, FP32_TOLERANCE);
    assert.ok(c.pass, `axis ${axis}: ${JSON.stringify(c)}`);
    assert.deepEqual(session.stats().webgpu!.fallbacks, [], 'GatherElements runs on the GPU');
    session.dispose();
  }
});
