// Every fixture MXNet model converts to ONNX, and onnxruntime-node (an independent runtime) running
// that ONNX export agrees with nnrt's CPU framework running the imported MXNet graph, on random inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importMxnet } from '../../src/mxnet/import.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { randomTensor, runOrt } from '../helpers/ort-reference.js';
import { MODELS, SKIP, fixture, fixtureText } from './fixtures.js';

for (const m of MODELS) {
  const name = m.symbol.split('/').pop()!;
  test(`${m.symbol}: ONNX export run by onnxruntime-node matches nnrt`, { skip: SKIP }, async () => {
    const params = m.params ? fixture(m.params) : new Uint8Array(0);
    const { graph } = importMxnet(fixtureText(m.symbol), params, { inputShapes: m.inputShapes, source: { symbol: name } });
    const session = await createSession(graph);
    const feeds = Object.fromEntries(session.inputs.map((v, i) => [v.name, randomTensor(m.inputShapes[v.name]!, 11 + i, 0, 1)]));
    const want = await runOrt(exportOnnx(graph, { opset: 17 }), feeds);
    const got = await session.run(feeds);
    assert.ok(Object.keys(got).length >= 1);
    for (const [k, t] of Object.entries(got)) {
      assert.ok(want[k], `onnxruntime produced '${k}'`);
      const c = compareTensors(t, want[k]!, { atol: 1e-4, rtol: 1e-3 });
      assert.ok(c.pass, `${k}: max abs ${c.maxAbsError}, ${c.mismatches} mismatches`);
    }
  });
}
