// The CPU engine's pooling executors against onnxruntime: each case builds with tactic timing off
// (so the first candidate, the WebAssembly one, runs), then loads a plan naming the JavaScript
// loop instead, so that both executors are compared, not only the one timing would pick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuEngine } from '../../src/engine/cpu/engine.js';
import { parsePlan } from '../../src/engine/plan-format.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { compareTensors, FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { patternModel } from '../helpers/engine-pattern.js';
import { randomTensor, runOrt, type AttrSpec } from '../helpers/ort-reference.js';

const CASES: [name: string, op: string, shape: number[], attrs: Record<string, AttrSpec>, tactic: string][] = [
  ['AveragePool 3×3 stride 2, pads, count_include_pad', 'AveragePool', [2, 5, 13, 11], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }, 'avg-wasm'],
  ['AveragePool 3×2 pads, padding not counted', 'AveragePool', [1, 7, 9, 10], { kernel_shape: [3, 2], pads: [1, 0, 1, 1] }, 'avg-wasm'],
  ['AveragePool 2×2 stride 2 ceil_mode (overhang not counted)', 'AveragePool', [1, 3, 7, 9], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, 'avg-wasm'],
  ['AveragePool 1-D kernel 3 stride 2 pads', 'AveragePool', [2, 4, 17], { kernel_shape: [3], strides: [2], pads: [1, 1] }, 'avg-wasm'],
  ['GlobalAveragePool (MobileNet head)', 'GlobalAveragePool', [2, 37, 7, 7], {}, 'global-avg-wasm'],
  ['GlobalMaxPool', 'GlobalMaxPool', [1, 19, 5, 6], {}, 'global-max-wasm'],
  ['GlobalAveragePool 1-D', 'GlobalAveragePool', [3, 6, 11], {}, 'global-avg-wasm'],
];

async function runCase(op: string, shape: number[], attrs: Record<string, AttrSpec>): Promise<string> {
  const inputs = { x: randomTensor(shape, 7) };
  const model = patternModel({ inputs, nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs }], outputs: ['y'] });
  const want = await runOrt(model, inputs);
  const { graph } = importOnnx(model);
  const engine = CpuEngine.build(graph, { x: shape }, { timeTactics: false, log: () => {} });
  try {
    const got = engine.run(inputs);
    const c = compareTensors(got.y!, want.y!, FP32_TOLERANCE);
    assert.ok(c.pass, `max abs ${c.maxAbsError}, ${c.mismatches} mismatches ${JSON.stringify(c.firstMismatch)}`);
    return engine.plan.layers.find((l) => l.kind === 'pool')!.tactic;
  } finally {
    engine.dispose();
  }
}

for (const [name, op, shape, attrs, tactic] of CASES) {
  test(`${name}: the WebAssembly executor matches onnxruntime`, async () => {
    assert.equal(await runCase(op, shape, attrs), tactic);
  });
}

test('a plan naming the JavaScript executors still loads and matches onnxruntime', async () => {
  for (const [, op, shape, attrs, tactic] of CASES) {
    if (op === 'GlobalMaxPool') continue; // its other candidate is max-wasm
    const inputs = { x: randomTensor(shape, 3) };
    const model = patternModel({ inputs, nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs }], outputs: ['y'] });
    const want = await runOrt(model, inputs);
    const built = CpuEngine.build(importOnnx(model).graph, { x: shape }, { timeTactics: false, log: () => {} });
    const plan = parsePlan(built.serialize());
    built.dispose();
    const js = tactic === 'avg-wasm' ? 'avg' : 'global-avg';
    const engine = CpuEngine.load({ ...plan, layers: plan.layers.map((l) => (l.kind === 'pool' ? { ...l, tactic: js } : l)) });
    try {
      assert.equal(engine.plan.layers.find((l) => l.kind === 'pool')!.tactic, js);
      const c = compareTensors(engine.run(inputs).y!, want.y!, FP32_TOLERANCE);
      assert.ok(c.pass, `${op} ${JSON.stringify(attrs)} on ${js}: max abs ${c.maxAbsError}`);
    } finally {
      engine.dispose();
    }
  }
});
