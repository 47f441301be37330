// A residual Add that reads the conv's own input, y = Conv(h) + h: the epilogue must not bind h
// twice (WebGPU forbids aliasing writable bindings), so it runs as a separate layer — and the
// engine's output still equals onnxruntime's on the same graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/node/webgpu.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import '../../src/ops/index.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;

test('Conv(h) + h through the engine equals onnxruntime', { skip }, async () => {
  const b = new GraphBuilder('self_residual');
  const h = b.input('h', 'float32', [1, 4, 5, 5]);
  const conv = b.op('Conv', [h, b.constant('w', randomTensor([4, 4, 3, 3], 3)), b.constant('bias', randomTensor([4], 4))], { pads: [1, 1, 1, 1] }, 'conv');
  b.output(b.op('Relu', [b.op('Add', [conv, h], {}, 'add')], {}, 'relu'));
  const graph = b.graph;
  const x = randomTensor([1, 4, 5, 5], 5);
  const want = await runOrt(exportOnnx(graph, { opset: 18 }), { h: x });
  const session = await createSession(graph, { engine: 'webgpu', minSubgraphSize: 1, timeTactics: false });
  const got = await session.run({ h: x });
  const name = graph.outputs[0]!.name;
  const c = compareTensors(got[name]!, want[name]!, FP32_TOLERANCE);
  assert.ok(c.pass, JSON.stringify(c));
  assert.equal(session.stats().engine?.partition.subgraphs.length, 1, 'the whole graph is one engine');
  session.dispose();
});
