// RNN, GRU and LSTM on WebGPU (the WGSL time loop, src/ops/rnn/recurrent.wgsl.ts) against
// onnxruntime: between GPU nodes with no transfer, and every direction, layout and optional input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt, type AttrSpec } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
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
  test(`${op} runs on webgpu between GPU nodes with no transfer and matches onnxruntime`, { skip }, async () => {
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
    assert.deepEqual(stats.webgpu!.fallbacks, []);
    assert.equal(stats.transfers, 0);
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
  assert.deepEqual(session.stats().webgpu!.fallbacks, []);
  session.dispose();
});

/** One recurrent node with every optional input given, on layout `layout`. */
async function full(op: keyof typeof GATES, attrs: Record<string, AttrSpec>, layout: 0 | 1, label: string): Promise<void> {
  const g = GATES[op];
  const dirs = attrs.direction === 'bidirectional' ? 2 : 1;
  const [S, N, I, H] = [5, 3, 4, 6];
  const state = layout === 0 ? [dirs, N, H] : [N, dirs, H];
  const inputs: Record<string, Tensor> = {
    X: randomTensor(layout === 0 ? [S, N, I] : [N, S, I], 31, -1.5, 1.5),
    W: randomTensor([dirs, g * H, I], 32, -0.7, 0.7), R: randomTensor([dirs, g * H, H], 33, -0.7, 0.7),
    B: randomTensor([dirs, 2 * g * H], 34, -0.4, 0.4), L: Tensor.fromNumeric('int32', [N], [5, 2, 0].slice(0, N)),
    H0: randomTensor(state, 35, -0.5, 0.5),
  };
  const order = ['X', 'W', 'R', 'B', 'L', 'H0'];
  const outputs = ['Y', 'Y_h'];
  if (op === 'LSTM') {
    inputs.C0 = randomTensor(state, 36, -0.5, 0.5);
    inputs.P = randomTensor([dirs, 3 * H], 37, -0.5, 0.5);
    order.push('C0', 'P');
    outputs.push('Y_c');
  }
  await expectWebgpuLikeOrt({ op, opset: 14, attrs: { hidden_size: H, layout, ...attrs }, inputs, inputOrder: order, outputs }, { atol: 2e-5, rtol: 1e-4 }, label);
}

for (const op of ['LSTM', 'GRU', 'RNN'] as const) {
  // onnxruntime's CPU kernels take layout 0 only; layout 1 is in the ONNX backend tests (*_batchwise)
  test(`${op} on webgpu: every direction, sequence_lens (0 included), initial states, matches onnxruntime`, { skip }, async () => {
    for (const direction of ['forward', 'reverse', 'bidirectional']) await full(op, { direction }, 0, direction);
  });
}

test('recurrent activations with alpha/beta, clip, GRU linear_before_reset and LSTM input_forget on webgpu match onnxruntime', { skip }, async () => {
  await full('RNN', { direction: 'bidirectional', activations: ['LeakyRelu', 'HardSigmoid'], activation_alpha: { floats: [0.2, 0.3] }, activation_beta: { floats: [0.4] } }, 0, 'RNN activations');
  await full('GRU', { linear_before_reset: 1, clip: { float: 0.8 } }, 0, 'GRU linear_before_reset, clip');
  await full('GRU', { activations: ['HardSigmoid', 'Softsign'] }, 0, 'GRU activations');
  await full('LSTM', { input_forget: 1, clip: { float: 1.5 }, activations: ['Sigmoid', 'ScaledTanh', 'Tanh'], activation_alpha: { floats: [1.2] }, activation_beta: { floats: [0.7] } }, 0, 'LSTM input_forget, clip, ScaledTanh');
});
