// compareTensors against values worked out by hand: numpy-allclose pass/fail, the error maxima,
// and the cosine similarity that reduced-precision checks use (undefined for integer tensors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';

const f32 = (v: number[]) => new Tensor('float32', [v.length], Float32Array.from(v));
const TOL = { atol: 0.01, rtol: 0.01 };

test('compareTensors: errors and allclose', () => {
  const c = compareTensors(f32([1, 2.5, -4]), f32([1, 2, -4]), TOL);
  assert.equal(c.pass, false);
  assert.equal(c.mismatches, 1);
  assert.equal(c.maxAbsError, 0.5);
  assert.equal(c.maxRelError, 0.25);
  assert.deepEqual(c.firstMismatch, { index: 1, got: 2.5, want: 2 });
});

test('compareTensors: cosine similarity of float outputs', () => {
  assert.equal(compareTensors(f32([3, 4]), f32([3, 4]), TOL).cosine, 1);
  // (1, 0)·(1, 1) / (1 · √2)
  assert.ok(Math.abs(compareTensors(f32([1, 0]), f32([1, 1]), TOL).cosine! - Math.SQRT1_2) < 1e-12);
  assert.equal(compareTensors(f32([1, 0]), f32([0, 1]), TOL).cosine, 0);
  assert.equal(compareTensors(f32([-2, -2]), f32([1, 1]), TOL).cosine, -1);
  // a NaN on one side is a mismatch; the rest still measures the direction
  const n = compareTensors(f32([NaN, 2, 0]), f32([5, 2, 0]), TOL);
  assert.equal(n.pass, false);
  assert.equal(n.cosine, 1);
  assert.equal(compareTensors(f32([0, 0]), f32([0, 0]), TOL).cosine, 1);
  const ints = new Tensor('int32', [2], Int32Array.from([1, 2]));
  assert.equal(compareTensors(ints, ints, { atol: 0, rtol: 0 }).cosine, undefined);
});
