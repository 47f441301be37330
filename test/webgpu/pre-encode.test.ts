// Runs whose commands were encoded during the run before (recorded-run.ts) compute each run's own
// inputs: a 36-layer chain (MatMul by a constant, Tanh) run on the WebGPU framework and through the
// engine, three times with different inputs each, host and device-resident, against onnxruntime on
// the same inputs. Long runs go out in two submits (the head and the rest), and preEncode: false
// gives the one-submit path the same results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GpuTensor } from '../../src/devices/webgpu/gpu-tensor.js';
import '../../src/node/webgpu.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession, type SessionOptions } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { patternModel, type PatternNode } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const LAYERS = 36;

function chain(): Uint8Array {
  const nodes: PatternNode[] = [];
  const initializers: Record<string, Tensor> = {};
  let x = 'x';
  for (let i = 0; i < LAYERS; i++) {
    initializers[`w${i}`] = randomTensor([16, 16], 100 + i, -0.5, 0.5);
    nodes.push({ op: 'MatMul', inputs: [x, `w${i}`], outputs: [`m${i}`] });
    x = i === LAYERS - 1 ? 'y' : `t${i}`;
    nodes.push({ op: 'Tanh', inputs: [`m${i}`], outputs: [x] });
  }
  return patternModel({ nodes, inputs: { x: randomTensor([8, 16], 1) }, initializers, outputs: ['y'] });
}

const model = chain();
const inputs = [1, 2, 3].map((seed) => randomTensor([8, 16], seed, -2, 2));
const wants = await Promise.all(inputs.map(async (x) => (await runOrt(model, { x })).y!));

function agrees(got: Tensor, k: number, what: string) {
  const c = compareTensors(got, wants[k]!, FP32_TOLERANCE);
  assert.ok(c.pass, `${what}, input ${k}: ${JSON.stringify(c)}`);
}

for (const [label, opts] of [
  ['framework', { device: 'webgpu' }],
  ['engine', { device: 'webgpu', engine: 'webgpu', timeTactics: false }],
] as [string, SessionOptions][]) {
  test(`${label}: runs recorded ahead compute each run's inputs, in two submits`, { skip }, async () => {
    const session = await createSession(importOnnx(model).graph, opts);
    for (let round = 0; round < 2; round++) {
      for (let k = 0; k < inputs.length; k++) {
        agrees((await session.run({ x: inputs[k]! })).y!, k, `${label} round ${round}`);
        assert.equal(session.stats().webgpu!.submits, 2, 'the head of the run, then the rest');
      }
    }
    // device-resident, alternating two uploaded inputs (each is copied in by the recorded commands)
    const onDevice = inputs.map((x) => session.upload!(x));
    for (const k of [0, 1, 1, 0, 2]) {
      const out = (await session.runOnDevice!({ x: onDevice[k]! })).y as GpuTensor;
      agrees(await out.read(), k, `${label} resident`);
    }
    session.dispose();
  });

  test(`${label}: preEncode false encodes at each run, with the same results`, { skip }, async () => {
    const session = await createSession(importOnnx(model).graph, { ...opts, preEncode: false });
    for (let k = 0; k < inputs.length; k++) {
      agrees((await session.run({ x: inputs[k]! })).y!, k, `${label} without pre-encoding`);
      assert.equal(session.stats().webgpu!.submits, 1);
    }
    session.dispose();
  });
}
