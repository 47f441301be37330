// Engine rows of one bench share a timing cache: the second row built from the same model times
// no layer again (on a fresh GPU machine every timing compiles each candidate kernel), and its
// outputs are the first row's (onnxruntime-node's reference checks both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { onnxBenchModel } from '../../src/bench/models.js';
import { nnrtRunner } from '../../src/bench/nnrt-runners.js';
import { cpuAdapter } from '../../src/engine/cpu/engine.js';
import { TimingCache } from '../../src/engine/timing-cache.js';
import '../../src/node/cpu-threads.js';
import '../../src/ops/index.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { VERSION } from '../../src/version.js';
import { runOrt } from '../helpers/ort-reference.js';

const MODEL = new URL('../../../shared/models/squeezenet1_1/model.onnx', import.meta.url).pathname;

test('bench: a second engine row on the same model takes every timing from the shared cache', async () => {
  const bytes = new Uint8Array(readFileSync(MODEL));
  const model = onnxBenchModel('squeezenet', 'file', bytes, { seed: 1, path: MODEL });
  const cache = new TimingCache({ nnrtVersion: VERSION, adapter: cpuAdapter(true) });
  const sets: string[] = [];
  const set = cache.set.bind(cache);
  cache.set = (sig, tactic, ms) => {
    sets.push(tactic);
    set(sig, tactic, ms);
  };
  const factory = nnrtRunner({ device: 'cpu', engine: 'cpu', precision: 'fp32', timingCache: cache });
  const expected = await runOrt(bytes, model.inputs);
  const outputs = [];
  for (let row = 0; row < 2; row++) {
    const prepared = await factory.runner('e2e').prepare(model);
    outputs.push(await prepared.run());
    prepared.dispose();
    if (row === 0) assert.ok(sets.length > 0, 'the first build times its layers into the cache');
    else assert.equal(sets.length, cache.size, 'the second build timed nothing new');
  }
  for (const out of outputs) {
    for (const [name, want] of Object.entries(expected)) {
      const r = compareTensors((out as Record<string, typeof want>)[name]!, want, { atol: 1e-4, rtol: 1e-3 });
      assert.ok(r.pass, `${name}: ${r.reason ?? `max |diff| ${r.maxAbsError}`}`);
    }
  }
});
