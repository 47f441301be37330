// Integer and bool tensors in the engine, through the whole engine against onnxruntime in fp32 and
// fp16: gather layers with computed indices (token ids into an embedding table, ids reshaped
// first as GPT-2 does, negative ids, a computed table), the attention-mask chain of BERT
// (int64 → bool Cast, Flatten, Gather at constant rank-4 indices, Reshape, And, Expand, Where),
// comparisons, logic and integer arithmetic, and Casts both ways. Integers enter as int64 engine
// inputs and are i32 inside; outputs are float32 (Cast or Where at the end). fp16: float inputs,
// tables and results stored as halves (relative 2^-11 each): atol 3e-3, rtol 3e-3; integer and
// bool paths are exact in both. The lowering back to ONNX of these layers runs on the CPU framework.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectEngineLikeOrt, patternModel, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { ENGINE_SUPPORT } from '../../src/engine/support.js';
import { importNetwork } from '../../src/engine/import.js';
import { runPipeline } from '../../src/engine/passes/pipeline.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import { Engine } from '../../src/engine/runtime.js';
import { serializePlan } from '../../src/engine/plan-format.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { typesOf } from '../partition/helpers.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 3e-3, rtol: 3e-3 };
const PRECISIONS = [['fp32', FP32_TOLERANCE], ['fp16', F16]] as const;
const int64 = (shape: number[], values: number[]) => Tensor.fromNumeric('int64', shape, values);
const bool = (shape: number[], values: number[]) => Tensor.fromNumeric('bool', shape, values);
const kinds = (plan: { layers: { kind: string }[] }) => plan.layers.map((l) => l.kind);

test('Gather with computed int64 indices: ids into a constant embedding table, reshaped ids (GPT-2), negative ids, a computed table on axis 1', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    const plan = await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Reshape', inputs: ['ids', 'shape'], outputs: ['flat'] },
        { op: 'Gather', inputs: ['table', 'flat'], outputs: ['emb'] },
        { op: 'Relu', inputs: ['x'], outputs: ['rx'] },
        { op: 'Gather', inputs: ['rx', 'ids'], outputs: ['cols'], attrs: { axis: 1 } },
      ],
      inputs: { ids: int64([2, 3], [0, 9, 4, -1, 7, -10]), x: randomTensor([2, 10, 4], 2) },
      initializers: { table: randomTensor([10, 8], 1), shape: int64([1], [6]) },
      outputs: ['emb', 'cols'],
    }, precision, tol);
    assert.deepEqual(kinds(plan).filter((k) => k === 'gather').length, 2, kinds(plan).join());
  }
});

const order = [3, 0, 1, 2, 5, 4];
const MASK_CHAIN: PatternSpec = {
  nodes: [
    { op: 'Cast', inputs: ['mask'], outputs: ['mb'], attrs: { to: 9 } },
    { op: 'Flatten', inputs: ['mb'], outputs: ['mf'], attrs: { axis: 2 } },
    { op: 'Gather', inputs: ['mf', 'order'], outputs: ['mg'] },
    { op: 'Reshape', inputs: ['mg', 'rowShape'], outputs: ['mr'] },
    { op: 'Cast', inputs: ['mr'], outputs: ['mr2'], attrs: { to: 9 } },
    { op: 'And', inputs: ['causal', 'mr2'], outputs: ['both'] },
    { op: 'Expand', inputs: ['both', 'full'], outputs: ['cond'] },
    { op: 'Where', inputs: ['cond', 'zero', 'minus'], outputs: ['bias'] },
    { op: 'Add', inputs: ['scores', 'bias'], outputs: ['s'] },
    { op: 'Softmax', inputs: ['s'], outputs: ['p'], attrs: { axis: -1 } },
  ],
  inputs: { mask: int64([1, 6], [1, 1, 0, 1, 1, 0]), scores: randomTensor([1, 2, 6, 6], 3) },
  initializers: {
    order: int64([1, 1, 1, 6], order),
    rowShape: int64([4], [1, 1, 1, 6]),
    causal: bool([1, 1, 6, 1], [1, 1, 1, 0, 1, 1]),
    full: int64([4], [1, 2, 6, 6]),
    zero: Tensor.fromArray([], [0]),
    minus: Tensor.fromArray([], [-1e4]),
  },
  outputs: ['p', 'bias'],
};

test("BERT's attention mask in the engine: int64 → bool Cast, Flatten, Gather at constant indices, Reshape, And, Expand, Where into the scores' softmax", { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    const plan = await expectEngineLikeOrt(gpu!, MASK_CHAIN, precision, tol);
    assert.ok(kinds(plan).includes('typed') && kinds(plan).includes('gather'), kinds(plan).join());
  }
});

test('comparisons, Not/And/Or/Xor and Casts: float and int64 operands, bool results cast to float; float → int64 truncates toward zero', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Less', inputs: ['a', 'b'], outputs: ['lt'] },
        { op: 'GreaterOrEqual', inputs: ['a', 'half'], outputs: ['ge'] },
        { op: 'Mul', inputs: ['a', 'ten'], outputs: ['a10'] },
        { op: 'Cast', inputs: ['a10'], outputs: ['ai'], attrs: { to: 7 } },
        { op: 'Equal', inputs: ['ai', 'k'], outputs: ['eq'] },
        { op: 'Greater', inputs: ['ai', 'k'], outputs: ['gt'] },
        { op: 'Less', inputs: ['ai', 'k'], outputs: ['lti'] },
        { op: 'Cast', inputs: ['lti'], outputs: ['l'], attrs: { to: 1 } },
        { op: 'LessOrEqual', inputs: ['k', 'three'], outputs: ['le'] },
        { op: 'Or', inputs: ['lt', 'eq'], outputs: ['or'] },
        { op: 'Xor', inputs: ['or', 'ge'], outputs: ['xor'] },
        { op: 'Not', inputs: ['xor'], outputs: ['not'] },
        { op: 'And', inputs: ['not', 'le'], outputs: ['and'] },
        { op: 'Cast', inputs: ['and'], outputs: ['y'], attrs: { to: 1 } },
        { op: 'Cast', inputs: ['gt'], outputs: ['g'], attrs: { to: 1 } },
        { op: 'Cast', inputs: ['ai'], outputs: ['af'], attrs: { to: 1 } },
      ],
      inputs: { a: randomTensor([2, 3, 4], 4), b: randomTensor([2, 3, 4], 5), k: int64([4], [-3, 0, 2, 5]) },
      initializers: { half: Tensor.fromArray([], [0.25]), ten: Tensor.fromArray([], [10]), three: int64([], [3]) },
      outputs: ['y', 'g', 'l', 'af'],
    }, precision, tol);
  }
});

test('integer Add/Sub/Mul (position ids) feed a Gather, and a Where picks between int64 branches', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    const plan = await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Mul', inputs: ['ids', 'two'], outputs: ['m'] },
        { op: 'Sub', inputs: ['m', 'ids'], outputs: ['s'] },
        { op: 'Add', inputs: ['s', 'offset'], outputs: ['pos'] },
        { op: 'Greater', inputs: ['pos', 'four'], outputs: ['big'] },
        { op: 'Where', inputs: ['big', 'ids', 'pos'], outputs: ['w'] },
        { op: 'Gather', inputs: ['table', 'w'], outputs: ['e'] },
        { op: 'Add', inputs: ['e', 'x'], outputs: ['y'] },
      ],
      inputs: { ids: int64([1, 5], [0, 1, 2, 3, 4]), x: randomTensor([1, 5, 6], 7) },
      initializers: { two: int64([], [2]), offset: int64([1, 5], [2, 2, 2, 2, 2]), four: int64([], [4]), table: randomTensor([8, 6], 8) },
      outputs: ['y'],
    }, precision, tol);
    assert.ok(kinds(plan).filter((k) => k === 'typed').length >= 4, kinds(plan).join());
  }
});

test('int64 and bool engine outputs: read back as onnxruntime gives them (i32 and 0/1 inside)', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Add', inputs: ['ids', 'one'], outputs: ['next'] },
        { op: 'Greater', inputs: ['x', 'zero'], outputs: ['pos'] },
        { op: 'Cast', inputs: ['x'], outputs: ['xi'], attrs: { to: 7 } },
      ],
      inputs: { ids: int64([2, 3], [0, -5, 7, 100000, 2, 3]), x: randomTensor([2, 4], 3, -5, 5) },
      initializers: { one: int64([], [1]), zero: Tensor.fromArray([], [0]) },
      outputs: ['next', 'pos', 'xi'],
    }, precision, tol);
  }
});

test('int64 engine inputs: recorded in the plan file; values beyond 32 bits are refused at the edge with a clear error', { skip }, async () => {
  const spec = {
    nodes: [{ op: 'Gather', inputs: ['table', 'ids'], outputs: ['e'] }, { op: 'Relu', inputs: ['e'], outputs: ['y'] }],
    inputs: { ids: int64([2], [0, 1]) },
    initializers: { table: randomTensor([4, 2], 9) },
    outputs: ['y'],
  };
  const { graph } = importOnnx(patternModel(spec));
  const plan = await buildEnginePlan(gpu!, graph, { ids: [2] }, { timeTactics: false });
  // the input's dtype survives the plan file
  const engine = await Engine.load(gpu!, serializePlan(plan));
  assert.equal(engine.inputs[0]!.dtype, 'int64');
  const context = await engine.createExecutionContext();
  try {
    const huge = new Tensor('int64', [2], BigInt64Array.from([0n, 1n << 40n]));
    await assert.rejects(context.run({ ids: huge }), /int64 value 1099511627776 at index 1 .* does not fit the device's 32-bit integers/);
    await assert.rejects(context.run({ ids: randomTensor([2], 1) }), /engine input 'ids' must be int64 or int32, got float32/);
  } finally {
    context.dispose();
    engine.dispose();
  }
});

test('passes: integer and bool tensors stay i32 and row-major in fp16 (no halves, no NHWC); unsupported casts are declined with a reason', () => {
  const spec = {
    nodes: [
      { op: 'Cast', inputs: ['m'], outputs: ['b'], attrs: { to: 9 } },
      { op: 'Expand', inputs: ['b', 'full'], outputs: ['c'] },
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['v'] },
      { op: 'Where', inputs: ['c', 'v', 'zero'], outputs: ['y'] },
    ],
    inputs: { m: int64([1, 1, 4, 4], new Array(16).fill(0).map((_, i) => i % 3)), x: randomTensor([1, 4, 4, 4], 1) },
    initializers: { full: int64([4], [1, 4, 4, 4]), w: randomTensor([4, 4, 1, 1], 2), zero: Tensor.fromArray([], [0]) },
    outputs: ['y'],
  };
  const { graph } = importOnnx(patternModel(spec));
  const net = importNetwork(graph, { m: [1, 1, 4, 4], x: [1, 4, 4, 4] });
  const { network } = runPipeline(net, { precision: 'fp16' });
  for (const name of ['m', 'b', 'c']) {
    const t = network.tensors.get(name)!;
    assert.notEqual(t.dtype ?? 'float32', 'float32', name);
    assert.equal(t.format.storage, 'i32', name);
    assert.notEqual(t.format.layout, 'nhwc', name);
  }
  assert.equal(network.tensors.get('v')!.format.storage, 'f16x2');

  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 2]);
  b.output(b.op('Cast', [x], { to: { type: 'int', value: 2 } }, 'to_uint8'));
  const node = b.graph.nodes.find((n) => n.name === 'to_uint8')!;
  assert.match(String(ENGINE_SUPPORT(node, { graph: b.graph, types: typesOf(b.graph) })), /^Cast: float32 → uint8 \(the engine casts between float32, int64, int32 and bool\)/);
});

test('the mask chain lowered back to ONNX (gather, typed and two-output norm layers) runs on the CPU framework like onnxruntime', async () => {
  const spec: PatternSpec = {
    ...MASK_CHAIN,
    nodes: [...MASK_CHAIN.nodes, { op: 'Add', inputs: ['p', 'r'], outputs: ['q'] }, { op: 'LayerNormalization', inputs: ['q', 'ls'], outputs: ['n'], attrs: { axis: -1 } }, { op: 'Add', inputs: ['q', 'n'], outputs: ['o'] }],
    inputs: { ...MASK_CHAIN.inputs, r: randomTensor([1, 2, 6, 6], 4) },
    initializers: { ...MASK_CHAIN.initializers, ls: randomTensor([6], 5) },
    outputs: ['o', 'bias'],
  };
  const model = patternModel(spec);
  const want = await runOrt(model, spec.inputs);
  const shapes = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, [...t.shape]]));
  const { network } = runPipeline(importNetwork(importOnnx(model).graph, shapes), { precision: 'fp32' });
  assert.ok(network.layers.some((l) => l.kind === 'norm' && l.sum === 'q'), 'the norm writes the residual sum');
  const session = await createSession(lowerNetwork(network), { device: 'cpu' });
  const mask = spec.inputs.mask!;
  const got = await session.run({ ...spec.inputs, mask: new Tensor('int32', [...mask.shape], Int32Array.from(mask.numeric(), Number)) });
  for (const k of spec.outputs) assert.ok(compareTensors(got[k]!, want[k]!, FP32_TOLERANCE).pass, k);
});
