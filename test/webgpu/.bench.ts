import '../../src/node/webgpu.js';
import { loadOnnxFile } from '../../src/node/files.js';
import { loadDataSet } from '../../src/node/backend-test.js';
import { createSession } from '../../src/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
for (const m of ['squeezenet1_1', 'shufflenet_v2_x0_5']) {
  const dir = `/work/shared/models/${m}`;
  const { graph } = loadOnnxFile(`${dir}/model.onnx`);
  const ds = loadDataSet(`${dir}/test_data_set_0`);
  for (const device of ['webgpu', 'cpu'] as const) {
    const s = await createSession(graph, { device });
    const feeds = { [s.inputs[0]!.name]: ds.inputs[0]! };
    let t = performance.now();
    const out = await s.run(feeds);
    const first = performance.now() - t;
    t = performance.now();
    await s.run(feeds);
    const second = performance.now() - t;
    const c = compareTensors(out[s.outputs[0]!.name]!, ds.outputs[0]!, FP32_TOLERANCE);
    console.log(m, device, 'first', first.toFixed(0), 'ms, second', second.toFixed(0), 'ms, maxAbs', c.maxAbsError.toExponential(2), 'maxRel', c.maxRelError.toExponential(2), JSON.stringify(s.stats()));
  }
}
