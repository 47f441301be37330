// Buffers past the device's storage binding size never fail a run: the node whose kernel would
// bind one runs its CPU kernel, with the reason in stats().webgpu.fallbacks. WebGPU cannot request
// a binding limit below its 128 MiB default, so the device is planned with a lower cap
// (GpuDeviceOptions.maxStorageBindingBytes) and small tensors stand in for a 411 MB weight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oversizedBinding } from '../../src/devices/webgpu/buffer-limits.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
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

test('a MatMul whose weight is over the binding limit runs on the CPU and matches onnxruntime', { skip }, async () => {
  process.env.XDG_RUNTIME_DIR ??= '/tmp/xdg-nnrt-tests';
  const x = randomTensor([3, 64], 1);
  const w = randomTensor([64, 40], 2); // 10,240 bytes, over the 8 KiB cap
  const bytes = oneNodeModel({ op: 'MatMul', inputs: { x }, initializers: { w }, inputOrder: ['x', 'w'], outputs: ['y'] });
  const want = await runOrt(bytes, { x });
  const s = await createSession(importOnnx(bytes).graph, { device: 'webgpu', gpuOptions: { maxStorageBindingBytes: 8192 } });
  try {
    const got = await s.run({ x });
    assert.ok(compareTensors(got.y!, want.y!, FP32_TOLERANCE).pass);
    const [f, ...rest] = s.stats().webgpu!.fallbacks;
    assert.equal(rest.length, 0);
    assert.equal(f?.op, 'MatMul');
    assert.match(f!.reason, /'w' takes 10240 bytes, over this device's maxStorageBufferBindingSize of 8192/);
  } finally {
    s.dispose();
  }
  // the same model within the cap runs on the GPU
  const small = await createSession(importOnnx(bytes).graph, { device: 'webgpu', gpuOptions: { maxStorageBindingBytes: 16384 } });
  try {
    assert.ok(compareTensors((await small.run({ x })).y!, want.y!, FP32_TOLERANCE).pass);
    assert.deepEqual(small.stats().webgpu!.fallbacks, []);
  } finally {
    small.dispose();
  }
});

test('a maxStorageBindingBytes below 4 is refused', { skip }, async () => {
  const bytes = oneNodeModel({ op: 'Relu', inputs: { x: randomTensor([2], 1) }, inputOrder: ['x'], outputs: ['y'] });
  await assert.rejects(() => createSession(importOnnx(bytes).graph, { device: 'webgpu', gpuOptions: { maxStorageBindingBytes: 1 } }), /maxStorageBindingBytes must be an integer of at least 4/);
});
