// The --layer-times table: a layer of several programs gets a line with each program's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineLayerLines } from '../../src/bench/layer-times.js';

test('layer-times table: a multi-program layer lists its programs under it, a one-program layer does not', () => {
  const lines = engineLayerLines({
    engine: 'engine_0', method: 'gpu timestamps', reps: 10, layerSumMs: 0.2, engineMs: 0.19,
    layers: [
      { name: 'attn', kind: 'attention', tactic: 'attention-gemm-a-b', from: ['MatMul_1'], ms: 0.17, share: 0.85, programs: [0.05, 0.02, 0.1] },
      { name: 'fc', kind: 'gemm', tactic: 'gemm-64x64', from: ['MatMul'], ms: 0.03, share: 0.15 },
    ],
  });
  const at = lines.findIndex((l) => l.includes(' attn '));
  assert.ok(at > 0, lines.join('\n'));
  assert.match(lines[at + 1]!, /its 3 programs, each timed alone: +0\.0500 \+ 0\.0200 \+ 0\.1000 ms$/);
  assert.match(lines[at + 2]!, / fc /);
  assert.equal(lines.filter((l) => l.includes('programs, each timed alone')).length, 1);
});
