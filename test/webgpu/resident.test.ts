// Sessions that keep tensors on the device (what `nnrt bench --mode resident` times): inputs
// uploaded once, outputs left on the GPU and read only when asked; the values must be onnxruntime's,
// for the framework on webgpu and with the engine, and a device output can feed the next run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGpuTensor } from '../../src/devices/webgpu/gpu-tensor.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/node/webgpu.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { smallCnnModel } from '../helpers/small-model.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

for (const engine of ['none', 'webgpu'] as const) {
  test(`runOnDevice (engine ${engine}): uploaded inputs, outputs left on the GPU, values as onnxruntime's`, { skip }, async () => {
    const model = smallCnnModel();
    const x = randomTensor([1, 2, 6, 6], 5);
    const want = await runOrt(model, { x });
    const session = await createSession(importOnnx(model).graph, { device: 'webgpu', engine });
    try {
      const onDevice = session.upload!(x);
      for (let i = 0; i < 2; i++) { // the second run reuses the schedule and the uploaded input
        const out = await session.runOnDevice!({ x: onDevice });
        const [name, y] = Object.entries(out)[0]!;
        assert.ok(isGpuTensor(y), `output '${name}' stays on the device`);
        const c = compareTensors(await y.read(), want[name]!, FP32_TOLERANCE);
        assert.ok(c.pass, JSON.stringify(c));
      }
      assert.equal(session.stats().transfers, 0, 'no host round trip');
      onDevice.buffer.destroy();
    } finally {
      session.dispose();
    }
  });
}

test('runOnDevice: an output left on the device feeds the next run; host and device feeds mix', { skip }, async () => {
  const spec = { op: 'Add', opset: 14, inputs: { a: randomTensor([3, 4], 1), b: randomTensor([3, 4], 2) }, inputOrder: ['a', 'b'], outputs: ['y'] };
  const model = oneNodeModel(spec);
  const once = (await runOrt(model, spec.inputs)).y!;
  const twice = (await runOrt(model, { a: once, b: spec.inputs.b })).y!;
  const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
  try {
    const first = await session.runOnDevice!({ a: session.upload!(spec.inputs.a), b: spec.inputs.b });
    const y = first.y!;
    assert.ok(isGpuTensor(y));
    // copied into the input's buffer at the start of the run, before the run overwrites y
    const second = (await session.runOnDevice!({ a: y, b: spec.inputs.b })).y!;
    assert.ok(isGpuTensor(second));
    const c = compareTensors(await second.read(), twice, FP32_TOLERANCE);
    assert.ok(c.pass, JSON.stringify(c));
    await assert.rejects(session.runOnDevice!({ a: session.upload!(randomTensor([4, 3], 1)), b: spec.inputs.b }), /input 'a' dim 0 is fixed at 3; 4 was given/);
  } finally {
    session.dispose();
  }
});

for (const engine of ['none', 'webgpu'] as const) {
  test(`runOnDevice with wait: false (engine ${engine}): runs queue up back to back, each reading the one before's output; deviceDone, then onnxruntime's values`, { skip }, async () => {
    const spec = { op: 'Add', opset: 14, inputs: { a: randomTensor([3, 4], 1), b: randomTensor([3, 4], 2) }, inputOrder: ['a', 'b'], outputs: ['y'] };
    const model = oneNodeModel(spec);
    let want: Tensor = spec.inputs.a;
    for (let i = 0; i < 4; i++) want = (await runOrt(model, { a: want, b: spec.inputs.b })).y!;
    const session = await createSession(importOnnx(model).graph, { device: 'webgpu', engine });
    try {
      const b = session.upload!(spec.inputs.b);
      let a = session.upload!(spec.inputs.a);
      for (let i = 0; i < 4; i++) {
        const y = (await session.runOnDevice!({ a, b }, { wait: false })).y!;
        assert.ok(isGpuTensor(y));
        // the next run copies y into its input at its start, before it writes y again
        a = y;
      }
      await session.deviceDone!();
      assert.ok(isGpuTensor(a));
      const c = compareTensors(await a.read(), want, FP32_TOLERANCE);
      assert.ok(c.pass, JSON.stringify(c));
    } finally {
      session.dispose();
    }
  });
}
