// A Cast onto a narrower float grid (bfloat16, float8) rounds; the IR holds those values as
// float32, so only the node's `to` code says a rounding is due. The engine does not implement it:
// its support rule must decline such a Cast (with the reason), and the framework's kernel rounds
// as ONNX's test data expects. A Cast to FLOAT, INT32, INT64 or BOOL stays an engine layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { listDataSets, verifyModel } from '../../src/node/backend-test.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { createSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor/tensor.js';

const fixtures = new URL('../../../shared/fixtures/onnx-node-full/', import.meta.url).pathname;
const skip = webgpuSkip() ?? (existsSync(fixtures) ? false : `${fixtures} is absent`);

for (const folder of ['test_cast_FLOAT_to_BFLOAT16', 'test_cast_FLOAT_to_FLOAT8E4M3FN', 'test_cast_FLOAT_to_FLOAT8E5M2']) {
  test(`engine Cast ${folder}: declined, rounded by the framework`, { skip }, async () => {
    const dir = join(fixtures, folder);
    const { results, stats } = await verifyModel(join(dir, 'model.onnx'), listDataSets(dir), {
      device: 'webgpu', engine: 'webgpu', minSubgraphSize: 1, timeTactics: false,
    });
    for (const r of results) for (const o of r.outputs) assert.ok(o.pass, `${o.name}: ${o.reason ?? `max abs err ${o.maxAbsError}`}`);
    const { partition } = stats.engine!;
    assert.equal(partition.subgraphs.length, 0);
    assert.match(partition.declined[0]?.reason ?? '', /rounds onto a grid the engine does not implement/);
  });
}

test('engine Cast int64 → FLOAT stays an engine layer, exact for integers below 2^24', { skip }, async () => {
  const b = new GraphBuilder('cast_int64_float', 21);
  const x = b.input('x', 'int64', [5]);
  b.output(b.op('Cast', [x], { to: 1 }));
  const session = await createSession(b.graph, { device: 'webgpu', engine: 'webgpu', minSubgraphSize: 1, timeTactics: false });
  try {
    const values = [-3, 0, 7, 16777215, -16777216];
    const [y] = Object.values(await session.run({ x: Tensor.fromNumeric('int64', [5], values) }));
    assert.deepEqual([...y!.numeric()], values);
    const { partition } = session.stats().engine!;
    assert.equal(partition.subgraphs.length, 1);
    assert.equal(partition.declined.length, 0, JSON.stringify(partition.declined));
  } finally {
    session.dispose();
  }
});
