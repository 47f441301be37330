// Whole-model round trip: torchvision models imported, exported at opsets 13 and 18, run by
// onnxruntime on the stored input and compared with the stored output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { loadOnnxFile, readTensorPb } from '../../src/node/files.js';
import { runOrt } from '../helpers/ort-reference.js';
import { assertClose } from './helpers.js';

const MODELS = '/work/shared/models';

for (const name of ['squeezenet1_1', 'shufflenet_v2_x0_5']) {
  const dir = join(MODELS, name);
  const skip = existsSync(join(dir, 'model.onnx')) ? false : `${dir} is absent (shared reference models)`;
  test(`${name}: import → export at opsets 13 and 18 → onnxruntime matches the stored output`, { skip }, async () => {
    const { graph } = loadOnnxFile(join(dir, 'model.onnx'));
    const input = readTensorPb(join(dir, 'test_data_set_0', 'input_0.pb')).tensor;
    const want = readTensorPb(join(dir, 'test_data_set_0', 'output_0.pb')).tensor;
    const [inName, outName] = [graph.inputs[0]!.name, graph.outputs[0]!.name];
    for (const opset of [13, 18]) {
      const bytes = exportOnnx(graph, { opset });
      const got = await runOrt(bytes, { [inName]: input });
      assertClose(got, { [outName]: want }, `${name} exported at opset ${opset}`, { atol: 1e-4, rtol: 1e-3 });
      assert.deepEqual(importOnnx(bytes).graph.nodes.map((n) => n.opType), graph.nodes.map((n) => n.opType), 'same ops after re-import');
    }
  });
}
