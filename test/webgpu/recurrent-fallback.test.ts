// RNN, GRU and LSTM have no WGSL kernel yet: on webgpu they run through the executor's CPU
// fallback between GPU nodes, with their transfers counted, and match onnxruntime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const [SEQ, BATCH, INPUT, HIDDEN] = [6, 2, 5, 4];
const GATES = { RNN: 1, GRU: 3, LSTM: 4 } as const;

/** x → Relu → <op> (bidirectional, weights as initializers) → Y → Sigmoid → y; Y_h is an output too. */
function model(op: keyof typeof GATES): Uint8Array {
  const g = GATES[op];
  const init = (name: string, t: Tensor) => ({ name, dims: [...t.shape], dataType: ONNX_DTYPE.FLOAT, rawData: new Uint8Array((t.data as Float32Array).buffer, (t.data as Float32Array).byteOffset, (t.data as Float32Array).byteLength) });
  const f32 = (name: string, shape: number[]) => ({ name, type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
  return new Uint8Array(ModelProto.encode(ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'g',
      node: [
        { name: 'relu', opType: 'Relu', input: ['x'], output: ['r'] },
        {
          name: 'rec', opType: op, input: ['r', 'W', 'R', 'B'], output: ['Y', 'Y_h'],
          attribute: [{ name: 'hidden_size', type: 2, i: HIDDEN }, { name: 'direction', type: 3, s: new TextEncoder().encode('bidirectional') }],
        },
        { name: 'sig', opType: 'Sigmoid', input: ['Y'], output: ['y'] },
      ],
      input: [f32('x', [SEQ, BATCH, INPUT])],
      initializer: [
        init('W', randomTensor([2, g * HIDDEN, INPUT], 2, -0.6, 0.6)),
        init('R', randomTensor([2, g * HIDDEN, HIDDEN], 3, -0.6, 0.6)),
        init('B', randomTensor([2, 2 * g * HIDDEN], 4, -0.3, 0.3)),
      ],
      output: [{ name: 'y' }, { name: 'Y_h' }],
    },
  })).finish());
}

for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
  test(`${op} runs on webgpu through the CPU fallback, transfers counted, and matches onnxruntime`, { skip }, async () => {
    const m = model(op);
    const feeds = { x: randomTensor([SEQ, BATCH, INPUT], 1, -2, 2) };
    const want = await runOrt(m, feeds);
    const session = await createSession(importOnnx(m).graph, { device: 'webgpu' });
    const out = await session.run(feeds);
    for (const name of ['y', 'Y_h']) {
      const c = compareTensors(out[name]!, want[name]!, { atol: 2e-5, rtol: 1e-4 });
      assert.ok(c.pass, `${name}: ${JSON.stringify(c)}`);
    }
    const stats = session.stats();
    assert.deepEqual(stats.webgpu!.fallbacks.map((f) => f.op), [op]);
    // Relu's output read back, Y uploaded for Sigmoid; Y_h leaves from the host without a copy
    assert.equal(stats.transfers, 2);
    session.dispose();
  });
}

test('an omitted optional output (LSTM without Y) plans on webgpu from the op shape function', { skip }, async () => {
  const x = randomTensor([SEQ, BATCH, INPUT], 5, -2, 2);
  const inputs = { x, W: randomTensor([1, 4 * HIDDEN, INPUT], 6), R: randomTensor([1, 4 * HIDDEN, HIDDEN], 7) };
  const msg = ModelProto.decode(oneNodeModel({ op: 'LSTM', opset: 14, attrs: { hidden_size: HIDDEN }, inputs, inputOrder: ['x', 'W', 'R'], outputs: ['Y_h', 'Y_c'] }));
  (msg as unknown as { graph: { node: { output: string[] }[] } }).graph.node[0]!.output = ['', 'Y_h', 'Y_c'];
  const m = new Uint8Array(ModelProto.encode(msg).finish());
  const want = await runOrt(m, inputs);
  const session = await createSession(importOnnx(m).graph, { device: 'webgpu' });
  const out = await session.run(inputs);
  for (const name of ['Y_h', 'Y_c']) assert.ok(compareTensors(out[name]!, want[name]!, { atol: 2e-5, rtol: 1e-4 }).pass, name);
  session.dispose();
});
