// A graph input whose type has no shape field (unknown rank, which ONNX allows) on WebGPU: each
// run takes its rank and dims from the tensor fed, is planned for them, and matches onnxruntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ATTR_TYPE, ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

/** y = Sigmoid(x) + ReduceMean(x, axes = [-1], keepdims), z = Shape(x); x declared without a shape. */
function model(): Uint8Array {
  return new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: 'unknown_rank',
      node: [
        { name: 's', opType: 'Sigmoid', input: ['x'], output: ['s'] },
        { name: 'm', opType: 'ReduceMean', input: ['x', 'axes'], output: ['m'], attribute: [{ name: 'keepdims', type: ATTR_TYPE.INT, i: 1 }] },
        { name: 'y', opType: 'Add', input: ['s', 'm'], output: ['y'] },
        { name: 'z', opType: 'Shape', input: ['x'], output: ['z'] },
      ],
      initializer: [{ name: 'axes', dims: [1], dataType: ONNX_DTYPE.INT64, int64Data: ['-1'] }],
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT } } }],
      output: [{ name: 'y' }, { name: 'z' }],
    },
  })).finish());
}

test('an input without a shape takes the fed tensor\'s rank on webgpu and matches onnxruntime', { skip }, async () => {
  process.env.XDG_RUNTIME_DIR ??= '/tmp/xdg-nnrt-tests';
  const bytes = model();
  const { graph } = importOnnx(bytes);
  assert.equal(graph.inputs[0]!.unknownRank, true);
  const session = await createSession(graph, { device: 'webgpu' });
  try {
    for (const shape of [[2, 3], [5], [2, 1, 3, 4], [3, 5]]) {
      const x = randomTensor(shape, shape.length);
      const got = await session.run({ x });
      const want = await runOrt(bytes, { x });
      assert.deepEqual(got.y!.shape, shape);
      for (const k of ['y', 'z']) {
        const c = compareTensors(got[k]!, want[k]!, FP32_TOLERANCE);
        assert.ok(c.pass, `${shape} ${k}: ${c.reason ?? JSON.stringify(c)}`);
      }
      assert.deepEqual(session.stats().webgpu!.fallbacks, []);
    }
  } finally {
    session.dispose();
  }
});
