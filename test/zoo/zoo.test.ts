// Every zoo model builds with Gluon's names, types its graph, runs on the CPU, and survives an
// ONNX and MXNet export → import round trips with the same outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferShapes } from '../../src/ir/infer.js';
import { opTyper } from '../../src/ops/index.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { importMxnet } from '../../src/mxnet/import.js';
import { createSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { resetNameCounters } from '../../src/nn/scope.js';
import { vision, get_model, type ModelName } from '../../src/zoo/vision.js';

/** Smallest input each architecture allows (fixed final pools need their design size). */
function inputShape(name: ModelName): number[] {
  if (name === 'wavenet') return [1, 256, 40];
  if (name.startsWith('cifar')) return [1, 3, 32, 32];
  if (name === 'inception_v3') return [1, 3, 299, 299];
  if (name.startsWith('densenet') || name.startsWith('squeezenet')) return [1, 3, 224, 224];
  if (name === 'alexnet') return [1, 3, 64, 64];
  return [1, 3, 32, 32];
}
// big enough that running them on every test pass is not worth it: traced and typed only
const TRACE_ONLY = new Set<ModelName>(['resnet152_v1', 'resnet152_v2', 'densenet161', 'densenet169', 'densenet201', 'vgg19', 'vgg19_bn', 'vgg16_bn']);

const seeded = (shape: number[]) => Tensor.fromArray(shape, Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => Math.sin(i * 0.37)));

for (const name of Object.keys(vision) as ModelName[]) {
  test(`${name}: builds, infers shapes, runs, round-trips through ONNX`, async () => {
    const net = get_model(name).initialize({ seed: 7 });
    const shape = inputShape(name);
    const graph = net.trace({ dtype: 'float32', shape });
    const outType = inferShapes(graph, opTyper).get(graph.outputs[0]!.name);
    const classes = name.startsWith('cifar') ? 10 : 1000;
    assert.deepEqual(outType?.shape, name === 'wavenet' ? [1, 256, 40] : [1, classes]);
    for (const init of graph.initializers.keys()) assert.ok(init.startsWith(net.prefix), `initializer ${init} lacks prefix ${net.prefix}`);
    if (TRACE_ONLY.has(name)) return;
    const x = seeded(shape);
    const y = await net.call(x);
    assert.ok(y.toNumbers().every(Number.isFinite), 'non-finite output');
    const back = importOnnx(net.exportOnnx({ dtype: 'float32', shape })).graph;
    const session = await createSession(back);
    const out = await session.run({ [back.inputs.find((v) => !back.initializers.has(v.name))!.name]: x });
    const cmp = compareTensors(Object.values(out)[0]!, y, { atol: 1e-5, rtol: 1e-5 });
    assert.ok(cmp.pass, `ONNX round trip differs: ${cmp.reason ?? ''} max abs ${cmp.maxAbsError}`);
    // MXNet: export(prefix)'s symbol JSON + params, read back by the MXNet importer
    const mx = net.exportMxnet({ dtype: 'float32', shape });
    const fromMx = importMxnet(mx.symbolJson, mx.params, { inputShapes: { data: shape } }).graph;
    const mxOut = await (await createSession(fromMx)).run({ data: x });
    const mxCmp = compareTensors(Object.values(mxOut)[0]!, y, { atol: 1e-5, rtol: 1e-5 });
    assert.ok(mxCmp.pass, `MXNet round trip differs: ${mxCmp.reason ?? ''} max abs ${mxCmp.maxAbsError}`);
  });
}

test("parameter names follow Gluon 1.x (as in MXNet's published resnet18_v2 / mobilenet files)", () => {
  resetNameCounters();
  const names = [...vision.resnet18_v2().collectParams().keys()];
  assert.equal(names.length, 98);
  for (const n of ['resnetv20_batchnorm0_gamma', 'resnetv20_conv0_weight', 'resnetv20_stage1_batchnorm0_running_mean',
    'resnetv20_stage1_conv3_weight', 'resnetv20_stage2_conv2_weight', 'resnetv20_batchnorm2_running_var', 'resnetv20_dense0_weight', 'resnetv20_dense0_bias']) {
    assert.ok(names.includes(n), `missing ${n}`);
  }
  // a second net counts on, as Gluon's NameManager does
  assert.equal(vision.resnet18_v2().prefix, 'resnetv21_');
  const v1 = [...vision.resnet50_v1().collectParams().keys()];
  assert.ok(v1.includes('resnetv10_stage1_conv0_bias'), 'Gluon v1 bottleneck 1×1 convs carry a bias');
  const mb2 = [...vision.mobilenet_v2_1_0().collectParams().keys()];
  assert.ok(mb2.includes('mobilenetv20_features_linearbottleneck0_conv0_weight'));
  assert.ok(mb2.includes('mobilenetv20_output_pred_weight'));
  const inc = [...vision.inception_v3().collectParams().keys()];
  assert.ok(inc.includes('inception30_A1_conv0_weight') && inc.includes('inception30_E2_batchnorm8_beta'));
});
