// Buffers past the device's storage binding size never fail a run: a constant MatMul/Gemm weight
// is cut into column blocks and an embedding table into row blocks, each fitting one binding; any
// other node whose kernel would bind one runs its CPU kernel, with the reason in
// stats().webgpu.fallbacks. WebGPU cannot request
// a binding limit below its 128 MiB default, so the device is planned with a lower cap
// (GpuDeviceOptions.maxStorageBindingBytes) and small tensors stand in for a 411 MB weight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oversizedBinding } from '../../src/devices/webgpu/buffer-limits.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { oneNodeModel, randomTensor, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('the binding decision names the largest buffer over the limit, and passes buffers within it', () => {
  const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };
  const reason = oversizedBinding([{ name: 'x', bytes: 4096 }, { name: 'fc.weight', bytes: 411_041_792 }, { name: 'y', bytes: 200_000_000 }], limits);
  assert.match(reason!, /'fc\.weight' takes 411041792 bytes, over this device's maxStorageBufferBindingSize of 134217728: runs on the CPU/);
  assert.equal(oversizedBinding([{ name: 'x', bytes: 128 * 2 ** 20 }], limits), undefined);
  // a device whose maxBufferSize is the smaller limit names that one
  assert.match(oversizedBinding([{ name: 'w', bytes: 3000 }], { maxStorageBufferBindingSize: 4096, maxBufferSize: 2048 })!, /maxBufferSize of 2048/);
});

/** Runs a one-node model on webgpu with the binding cap lowered to `cap` bytes; checks it against onnxruntime; returns the fallbacks. */
async function underCap(spec: OneNodeSpec, cap: number): Promise<{ node: string; op: string; reason: string }[]> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp/xdg-nnrt-tests';
  const bytes = oneNodeModel(spec);
  const want = await runOrt(bytes, spec.inputs);
  const s = await createSession(importOnnx(bytes).graph, { device: 'webgpu', gpuOptions: { maxStorageBindingBytes: cap } });
  try {
    const got = await s.run(spec.inputs);
    for (const o of spec.outputs) {
      const c = compareTensors(got[o]!, want[o]!, FP32_TOLERANCE);
      assert.ok(c.pass, `${spec.op} ${o}: ${c.reason ?? JSON.stringify(c)}`);
    }
    return s.stats().webgpu!.fallbacks;
  } finally {
    s.dispose();
  }
}

test('a MatMul whose constant B is over the binding limit runs on the GPU in column blocks and matches onnxruntime', { skip }, async () => {
  // 64×40 floats = 10,240 bytes over an 8 KiB cap: blocks of 32 and 8 columns
  const w = randomTensor([64, 40], 2);
  const spec = (x: Tensor) => ({ op: 'MatMul', inputs: { x }, initializers: { w }, inputOrder: ['x', 'w'], outputs: ['y'] });
  assert.deepEqual(await underCap(spec(randomTensor([3, 64], 1)), 8192), []);
  assert.deepEqual(await underCap(spec(randomTensor([2, 5, 64], 3)), 8192), []); // A with a batch dim, B broadcast
  assert.deepEqual(await underCap(spec(randomTensor([64], 4)), 8192), []); // a 1-D A
  // a batched B [2,64,40]: a column takes 2×64 elements, 16 columns a block (3 blocks)
  const wb = randomTensor([2, 64, 40], 5);
  assert.deepEqual(await underCap({ op: 'MatMul', inputs: { x: randomTensor([2, 3, 64], 6) }, initializers: { w: wb }, inputOrder: ['x', 'w'], outputs: ['y'] }, 8192), []);
  // within the cap, the same model runs uncut
  assert.deepEqual(await underCap(spec(randomTensor([3, 64], 1)), 16384), []);
});

test('a Gemm whose constant B is over the binding limit runs in column blocks, transposed or not, with C', { skip }, async () => {
  const x = randomTensor([3, 64], 7);
  const c = randomTensor([40], 8);
  for (const transB of [0, 1]) {
    const w = randomTensor(transB ? [40, 64] : [64, 40], 9 + transB);
    const attrs = { transB, alpha: 0.5, beta: { float: 2 } };
    assert.deepEqual(await underCap({ op: 'Gemm', attrs, inputs: { x }, initializers: { w, c }, inputOrder: ['x', 'w', 'c'], outputs: ['y'] }, 8192), [], `transB ${transB}`);
    assert.deepEqual(await underCap({ op: 'Gemm', attrs: { transB }, inputs: { x }, initializers: { w }, inputOrder: ['x', 'w'], outputs: ['y'] }, 8192), [], `transB ${transB}, no C`);
  }
  // a transposed A, C a full [3,40] matrix
  const wt = randomTensor([64, 40], 11);
  assert.deepEqual(await underCap({ op: 'Gemm', attrs: { transA: 1 }, inputs: { x: randomTensor([64, 3], 12) }, initializers: { w: wt, c: randomTensor([3, 40], 13) }, inputOrder: ['x', 'w', 'c'], outputs: ['y'] }, 8192), []);
});

test('a Gather from an embedding table over the binding limit runs in row blocks and matches onnxruntime', { skip }, async () => {
  // 100×24 floats = 9,600 bytes: blocks of 85 and 15 rows; indices from both blocks, negative ones too
  const table = randomTensor([100, 24], 14);
  const ids = Tensor.fromNumeric('int64', [2, 5], [0, 99, 84, 85, -1, 3, 50, 86, -100, 17]);
  assert.deepEqual(await underCap({ op: 'Gather', inputs: { ids }, initializers: { table }, inputOrder: ['table', 'ids'], outputs: ['y'] }, 8192), []);
  // along axis 1 of a [4,100,6] table: a block holds rows of every outer slice
  const t3 = randomTensor([4, 100, 6], 15);
  const ids1 = Tensor.fromNumeric('int64', [3], [98, 2, 60]);
  assert.deepEqual(await underCap({ op: 'Gather', attrs: { axis: 1 }, inputs: { ids: ids1 }, initializers: { table: t3 }, inputOrder: ['table', 'ids'], outputs: ['y'] }, 8192), []);
});

test('what cannot be cut still runs on the CPU with the reason in stats', { skip }, async () => {
  // one column of B (3,000 floats) is over the 8 KiB cap by itself
  const fb = await underCap({ op: 'MatMul', inputs: { x: randomTensor([2, 3000], 16) }, initializers: { w: randomTensor([3000, 2], 17) }, inputOrder: ['x', 'w'], outputs: ['y'] }, 8192);
  assert.equal(fb.length, 1);
  assert.match(fb[0]!.reason, /one column of B takes 12000 bytes, over the storage binding limit of 8192: runs on the CPU/);
  // a computed B (a graph input) over the cap is not cut: the binding check names it
  const fb2 = await underCap({ op: 'MatMul', inputs: { x: randomTensor([3, 64], 18), w: randomTensor([64, 40], 19) }, inputOrder: ['x', 'w'], outputs: ['y'] }, 8192);
  assert.equal(fb2.length, 1);
  assert.match(fb2[0]!.reason, /'w' takes 10240 bytes, over this device's maxStorageBufferBindingSize of 8192: runs on the CPU/);
});

test('a maxStorageBindingBytes below 4 is refused', { skip }, async () => {
  const bytes = oneNodeModel({ op: 'Relu', inputs: { x: randomTensor([2], 1) }, inputOrder: ['x'], outputs: ['y'] });
  await assert.rejects(() => createSession(importOnnx(bytes).graph, { device: 'webgpu', gpuOptions: { maxStorageBindingBytes: 1 } }), /maxStorageBindingBytes must be an integer of at least 4/);
});
