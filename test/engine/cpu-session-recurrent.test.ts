// A CPU engine session over a conv backbone feeding a bidirectional LSTM (the OCR recognizer's
// shape): the conv runs in a CPU engine, the LSTM between engines in the framework, whose
// weights must stay resident (marked constant) rather than be repacked every run; outputs match
// onnxruntime on every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConstant } from '../../src/cpu/resident.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';

test('conv → LSTM (bidirectional) through --engine cpu: LSTM weights resident in the framework part, outputs match onnxruntime', async () => {
  const H = 6;
  const x = randomTensor([1, 3, 4, 10], 1);
  const initializers = {
    w: randomTensor([8, 3, 3, 3], 2), b: randomTensor([8], 3), shape: new Tensor('int64', [3], BigInt64Array.of(1n, 32n, 10n)),
    W: randomTensor([2, 4 * H, 32], 4), R: randomTensor([2, 4 * H, H], 5), B: randomTensor([2, 8 * H], 6),
  };
  const model = patternModel({
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c'], outputs: ['r'] },
      { op: 'Reshape', inputs: ['r', 'shape'], outputs: ['flat'] },
      { op: 'Transpose', inputs: ['flat'], outputs: ['seq'], attrs: { perm: [2, 0, 1] } },
      { op: 'LSTM', inputs: ['seq', 'W', 'R', 'B'], outputs: ['y'], attrs: { direction: 'bidirectional', hidden_size: H } },
    ],
    inputs: { x }, initializers, outputs: ['y'],
  });
  const want = (await runOrt(model, { x })).y!;
  const { graph } = importOnnx(model);
  const session = await createSession(graph, { device: 'cpu', engine: 'cpu' });
  try {
    for (let run = 0; run < 2; run++) {
      const got = (await session.run({ x })).y!;
      const c = compareTensors(got, want, FP32_TOLERANCE);
      assert.ok(c.pass, `run ${run}: max abs ${c.maxAbsError}, ${c.mismatches} mismatches`);
    }
    const stats = session.stats().engine!;
    assert.ok(stats.partition.subgraphs.length >= 1, 'the conv runs in a cpu engine');
    assert.ok(stats.partition.declined.some((d) => d.reason.includes('LSTM')), JSON.stringify(stats.partition.declined));
    for (const name of ['W', 'R', 'B']) assert.ok(isConstant(graph.initializers.get(name)!.data), `${name} is marked constant`);
  } finally {
    session.dispose();
  }
});
