import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneNodeModel, randomTensor, runNnrt, runOrt } from './ort-reference.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';

test('Relu matches onnxruntime-node on random input', async () => {
  const x = randomTensor([2, 3, 5], 7);
  const model = oneNodeModel({ op: 'Relu', inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  const want = (await runOrt(model, { x })).y!;
  const got = (await runNnrt(model, { x })).y!;
  const c = compareTensors(got, want, FP32_TOLERANCE);
  assert.ok(c.pass, JSON.stringify(c));
  assert.ok(want.numeric().some((v) => v === 0) && want.numeric().some((v) => v > 0), 'input covers both signs');
});
