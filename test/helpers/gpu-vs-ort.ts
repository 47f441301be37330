// Runs a one-node model on nnrt's WebGPU device and in onnxruntime-node and asserts every output
// agrees and that the node ran on the GPU (no CPU fallback). For WGSL kernel tests.
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { oneNodeModel, runOrt, type OneNodeSpec } from './ort-reference.js';

export async function expectGpuLikeOrt(spec: OneNodeSpec, tol: Tolerance = FP32_TOLERANCE, what = spec.op): Promise<void> {
  const model = oneNodeModel(spec);
  const want = await runOrt(model, spec.inputs);
  const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
  try {
    const got = await session.run(spec.inputs);
    for (const name of spec.outputs) {
      const c = compareTensors(got[name]!, want[name]!, tol);
      assert.ok(c.pass, `${what} ${JSON.stringify(spec.attrs ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))} output '${name}': ${c.reason ?? JSON.stringify(c)}`);
    }
    assert.deepEqual(session.stats().webgpu!.fallbacks, [], `${what} runs on the GPU`);
  } finally {
    session.dispose();
  }
}
