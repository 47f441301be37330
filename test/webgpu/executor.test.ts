// The WebGPU framework: tiled kernels against onnxruntime on random inputs (full and edge tiles),
// plan reuse, CPU fallbacks with counted transfers, and the errors a missing device gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceError } from '../../src/errors.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { ModelProto, ONNX_DTYPE } from '../../src/onnx/proto.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { attrProto, oneNodeModel, randomTensor, runOrt, type AttrSpec, type OneNodeSpec } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

async function runWebgpu(model: Uint8Array, feeds: Record<string, Tensor>) {
  const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
  const out = await session.run(feeds);
  return { out, session };
}

async function expectSameAsOrt(model: Uint8Array, feeds: Record<string, Tensor>, outputs: string[]) {
  const want = await runOrt(model, feeds);
  const { out, session } = await runWebgpu(model, feeds);
  for (const name of outputs) {
    const c = compareTensors(out[name]!, want[name]!, FP32_TOLERANCE);
    assert.ok(c.pass, `${name}: ${JSON.stringify(c)}`);
  }
  assert.deepEqual(session.stats().webgpu!.fallbacks, [], 'every node runs on the GPU');
  session.dispose();
}

const one = (spec: OneNodeSpec) => expectSameAsOrt(oneNodeModel(spec), spec.inputs, spec.outputs);

test('MatMul with batch broadcasting and partial 64×64 tiles', { skip }, async () => {
  await one({ op: 'MatMul', inputs: { a: randomTensor([2, 1, 70, 130], 1), b: randomTensor([3, 130, 67], 2) }, inputOrder: ['a', 'b'], outputs: ['y'] });
});

test('Gemm with transposed operands, alpha, beta and a row bias', { skip }, async () => {
  await one({
    op: 'Gemm', attrs: { transA: 1, transB: 1, alpha: 0.5, beta: { float: 2 } },
    inputs: { a: randomTensor([45, 33], 3), b: randomTensor([81, 45], 4), c: randomTensor([81], 5) },
    inputOrder: ['a', 'b', 'c'], outputs: ['y'],
  });
});

const conv = (x: number[], w: number[], attrs: OneNodeSpec['attrs'], seed: number): OneNodeSpec => ({
  op: 'Conv', attrs, inputs: { x: randomTensor(x, seed) },
  initializers: { w: randomTensor(w, seed + 1, -0.5, 0.5), b: randomTensor([w[0]!], seed + 2) },
  inputOrder: ['x', 'w', 'b'], outputs: ['y'],
});

test('Conv as implicit GEMM: groups, strides, dilations, asymmetric pads, batch 2', { skip }, async () => {
  await one(conv([2, 12, 23, 19], [18, 4, 3, 3], { group: 3, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] }, 6));
});

test('Conv pointwise (1×1) and depthwise (group = channels) paths', { skip }, async () => {
  await one(conv([1, 70, 9, 11], [130, 70, 1, 1], {}, 9));
  await one(conv([1, 24, 17, 17], [24, 1, 3, 3], { group: 24, strides: [2, 2], pads: [1, 1, 1, 1] }, 12));
});

/** A chain of single-input nodes x → op1 → op2 → ... → y, with constant extra inputs and attributes. */
function chainModel(ops: { op: string; extra?: [string, number[]]; attrs?: Record<string, AttrSpec> }[], shape: number[]): Uint8Array {
  const names = ops.map((_, i) => (i === ops.length - 1 ? 'y' : `t${i}`));
  return ModelProto.encode(ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: 'chain',
      node: ops.map((o, i) => ({
        name: `n${i}_${o.op}`, opType: o.op, input: [i === 0 ? 'x' : names[i - 1]!, ...(o.extra ? [o.extra[0]] : [])], output: [names[i]!],
        attribute: Object.entries(o.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
      })),
      input: [{ name: 'x', type: { tensorType: { elemType: ONNX_DTYPE.FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } }],
      initializer: ops.filter((o) => o.extra).map((o) => ({ name: o.extra![0], dims: [o.extra![1].length], dataType: ONNX_DTYPE.INT64, int64Data: o.extra![1] })),
      output: [{ name: 'y' }],
    },
  })).finish();
}

test('an op without a WGSL kernel runs on the CPU between GPU nodes, with its transfers counted', { skip }, async () => {
  // MaxPool's WGSL kernel declines 3-D windows
  const model = chainModel([{ op: 'Relu' }, { op: 'MaxPool', attrs: { kernel_shape: [2, 2, 2] } }, { op: 'Sigmoid' }], [1, 2, 4, 5, 3]);
  const feeds = { x: randomTensor([1, 2, 4, 5, 3], 14) };
  const want = await runOrt(model, feeds);
  const { out, session } = await runWebgpu(model, feeds);
  assert.ok(compareTensors(out.y!, want.y!, FP32_TOLERANCE).pass);
  const stats = session.stats();
  assert.deepEqual(stats.webgpu!.fallbacks.map((f) => f.op), ['MaxPool']);
  assert.equal(stats.transfers, 2, "Relu's output read back, MaxPool's output uploaded");
  assert.equal(stats.webgpu!.submits, 2, 'one submit before the fallback, one after');
  session.dispose();
});

test('a second run with the same shapes replays the plan: no new pipelines, one submit', { skip }, async () => {
  const model = chainModel([{ op: 'Relu' }, { op: 'Reshape', extra: ['shape', [7, 5]] }, { op: 'Softmax' }], [5, 7]);
  const feeds = { x: randomTensor([5, 7], 15) };
  const want = await runOrt(model, feeds);
  const { out, session } = await runWebgpu(model, feeds);
  const first = session.stats().webgpu!;
  const again = await session.run({ x: randomTensor([5, 7], 15) });
  const second = session.stats().webgpu!;
  assert.ok(compareTensors(out.y!, want.y!, FP32_TOLERANCE).pass);
  assert.ok(compareTensors(again.y!, want.y!, FP32_TOLERANCE).pass);
  assert.equal(second.pipelines, first.pipelines);
  assert.equal(second.submits, 1);
  session.dispose();
});

test('no adapter is a DeviceError that says what is missing', async () => {
  const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
  await assert.rejects(
    createSession(importOnnx(chainModel([{ op: 'Relu' }], [2])).graph, { device: 'webgpu', gpu: noAdapter }),
    (e: unknown) => e instanceof DeviceError && /no WebGPU adapter.*Vulkan.*mesa-vulkan-drivers/.test(e.message),
  );
});

test('a WGSL compilation error is a DeviceError quoting the compiler', { skip }, async () => {
  const gpu = await sharedGpuDevice(await createDawnGpu());
  await assert.rejects(
    gpu.pipelines.get('test:broken', () => '@compute @workgroup_size(1) fn main() { let x: f32 = undefined_name; }'),
    (e: unknown) => e instanceof DeviceError && /test:broken.*undefined_name/.test(e.message),
  );
});

test('an int64 value beyond 32 bits is refused on upload, not wrapped', { skip }, async () => {
  const model = oneNodeModel({
    op: 'Gather', inputs: { x: randomTensor([4], 16), i: new Tensor('int64', [1], BigInt64Array.from([2n ** 40n])) }, inputOrder: ['x', 'i'], outputs: ['y'],
  });
  const { graph } = importOnnx(model);
  const session = await createSession(graph, { device: 'webgpu' });
  await assert.rejects(session.run({ x: randomTensor([4], 16), i: new Tensor('int64', [1], BigInt64Array.from([2n ** 40n])) }), /does not fit the device's 32-bit integers/);
});

test('a constant with int64 values past the device\'s 32 bits keeps its node on the CPU instead of failing', { skip }, async () => {
  const big = new Tensor('int64', [3], BigInt64Array.from([5_000_000_000n, -3n, 7n]));
  const model = oneNodeModel({ op: 'Add', inputs: { x: new Tensor('int64', [3], BigInt64Array.from([1n, 2n, 3n])) }, initializers: { c: big }, inputOrder: ['x', 'c'], outputs: ['y'] });
  const feeds = { x: new Tensor('int64', [3], BigInt64Array.from([1n, 2n, 3n])) };
  const want = await runOrt(model, feeds);
  const { out, session } = await runWebgpu(model, feeds);
  assert.deepEqual([...(out.y!.data as BigInt64Array)], [...(want.y!.data as BigInt64Array)]);
  assert.match(session.stats().webgpu!.fallbacks[0]?.reason ?? '', /outside the device's 32-bit range/);
  session.dispose();
});
