// Bench core pieces on hand-made values: which nnrt configurations a request expands to, and the
// output comparison behind the "agrees" column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareOutputs, describeError } from '../../src/bench/bench.js';
import { concreteInputShapes } from '../../src/bench/models.js';
import { nnrtConfigs, nnrtRunnerId } from '../../src/bench/nnrt-runners.js';
import { UnsupportedError } from '../../src/errors.js';
import { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/tensor/tensor.js';

const ids = (...a: Parameters<typeof nnrtConfigs>) => nnrtConfigs(...a).map(nnrtRunnerId);

test('configurations: the cross product, less fp16 without an engine and the engine on the cpu', () => {
  assert.deepEqual(ids(['cpu'], ['none'], ['fp32']), ['nnrt-cpu']);
  assert.deepEqual(ids(['cpu', 'webgpu'], ['none', 'webgpu'], ['fp32', 'fp16']), ['nnrt-cpu', 'nnrt-webgpu', 'nnrt-webgpu-engine', 'nnrt-webgpu-engine-fp16']);
  assert.deepEqual(ids(['webgpu'], ['webgpu'], ['fp16']), ['nnrt-webgpu-engine-fp16']);
  // nothing meaningful left: kept, so the row can say why it does not run
  assert.deepEqual(ids(['cpu'], ['none'], ['fp16']), ['nnrt-cpu-fp16']);
  assert.deepEqual(ids(['cpu'], ['webgpu'], ['fp32']), ['nnrt-cpu-engine']);
});

test('configurations: one framework-on-cpu row per CPU kernel choice, none for other devices', () => {
  assert.deepEqual(ids(['cpu'], ['none'], ['fp32'], ['fast', 'reference']), ['nnrt-cpu', 'nnrt-cpu-reference']);
  assert.deepEqual(ids(['cpu', 'webgpu'], ['none'], ['fp32'], ['reference']), ['nnrt-cpu-reference', 'nnrt-webgpu']);
});

test('outputs: max |diff| over every output; a missing output or another shape disagrees', () => {
  const t = (v: number[]) => Tensor.fromArray([v.length], v);
  const want = { a: t([1, 2, 3]), b: t([10, 20]) };
  const close = compareOutputs({ a: t([1, 2, 3.0005]), b: t([10.004, 20]) }, want, { atol: 1e-3, rtol: 1e-3 });
  assert.equal(close.agree, true); // 0.004 ≤ 1e-3 + 1e-3·10
  assert.ok(Math.abs(close.maxAbsDiff - 0.004) < 1e-5, `${close.maxAbsDiff}`);
  const off = compareOutputs({ a: t([1, 2.01, 3]), b: t([10, 20]) }, want, { atol: 1e-3, rtol: 1e-3 });
  assert.equal(off.agree, false);
  assert.ok(Math.abs(off.maxAbsDiff - 0.01) < 1e-6);
  assert.deepEqual(compareOutputs({ a: t([1, 2, 3]) }, want, { atol: 1, rtol: 0 }), { maxAbsDiff: 0, agree: false, reason: "output 'b' is missing" });
  const shaped = compareOutputs({ a: Tensor.fromArray([3, 1], [1, 2, 3]), b: t([10, 20]) }, want, { atol: 1, rtol: 0 });
  assert.equal(shaped.agree, false);
  assert.match(shaped.reason!, /output 'a': shape \[3,1\]/);
});

test('input shapes: a symbolic batch takes --batch; a fixed batch must match it; other symbols are errors', () => {
  const g = (shape: (number | string)[]) => new Graph({ inputs: [{ name: 'x', dtype: 'float32', shape }] });
  assert.deepEqual([...concreteInputShapes(g(['N', 3, 8, 8]), 4, 'm')], [['x', [4, 3, 8, 8]]]);
  assert.deepEqual([...concreteInputShapes(g(['N', 3, 8, 8]), undefined, 'm')], [['x', [1, 3, 8, 8]]]);
  assert.deepEqual([...concreteInputShapes(g([2, 3, 8, 8]), undefined, 'm')], [['x', [2, 3, 8, 8]]]);
  assert.throws(() => concreteInputShapes(g([2, 3, 8, 8]), 4, 'm'), /fixed batch of 2, but --batch 4/);
  assert.throws(() => concreteInputShapes(g(['N', 3, 'H', 8]), 1, 'm'), /symbolic dimension 'H' at axis 2/);
});

test('errors read as "Class: message" for typed errors', () => {
  assert.equal(describeError(new UnsupportedError('no engine', { hint: 'later' })), 'UnsupportedError: no engine — later');
  assert.equal(describeError(new Error('plain')), 'plain');
  assert.equal(describeError(new TypeError('bad')), 'TypeError: bad');
});
