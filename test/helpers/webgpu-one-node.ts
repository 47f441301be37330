// One ONNX node run by nnrt on WebGPU and by onnxruntime-node: every named output must agree and
// the node must run on the GPU (no CPU fallback). For the WGSL kernel tests in test/webgpu/.
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, runOrt, type OneNodeSpec } from './ort-reference.js';

export const GPU_TOL: Tolerance = { atol: 1e-4, rtol: 1e-3 };

/** Runs `spec` in onnxruntime and on nnrt's WebGPU device; returns onnxruntime's outputs. */
export async function expectWebgpuLikeOrt(spec: OneNodeSpec, tol: Tolerance = GPU_TOL, label = ''): Promise<Record<string, Tensor>> {
  const model = oneNodeModel(spec);
  const want = await runOrt(model, spec.inputs);
  const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
  try {
    const got = await session.run(spec.inputs);
    assert.deepEqual(session.stats().webgpu!.fallbacks, [], `${spec.op} ${label} runs on the GPU`);
    for (const name of spec.outputs.filter(Boolean)) {
      assert.ok(want[name], `onnxruntime produced ${name}`);
      assert.deepEqual([...got[name]!.shape], [...want[name]!.shape], `${spec.op} ${label} ${name} shape`);
      const c = compareTensors(got[name]!, want[name]!, tol);
      assert.ok(c.pass, `${spec.op} ${label} ${name}: ${c.reason ?? JSON.stringify(c)}`);
    }
  } finally {
    session.dispose();
  }
  return want;
}
