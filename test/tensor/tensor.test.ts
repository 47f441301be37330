import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHalfBits, toHalfBits, toHalfBitsArray } from '../../src/tensor/float16.js';
import { broadcastShapes, broadcastStrides, stridesOf } from '../../src/tensor/shape.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { ShapeError } from '../../src/errors.js';

// IEEE 754 binary16 encodings from the standard's tables.
const HALF = [
  [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [2 ** -14, 0x0400], [2 ** -24, 0x0001], [0.5, 0x3800],
  [0.333251953125, 0x3555], [Infinity, 0x7c00], [-Infinity, 0xfc00], [0, 0x0000],
] as const;

test('float16 encodes and decodes the standard values', () => {
  for (const [v, bits] of HALF) {
    assert.equal(toHalfBits(v), bits, `encode ${v}`);
    assert.equal(fromHalfBits(bits), v, `decode 0x${bits.toString(16)}`);
  }
  assert.ok(Number.isNaN(fromHalfBits(toHalfBits(NaN))));
  assert.equal(toHalfBits(65520), 0x7c00, 'rounds to infinity past the largest half');
  assert.equal(toHalfBits(1 + 2 ** -11), 0x3c00, 'ties round to even (down)');
  assert.equal(toHalfBits(1 + 3 * 2 ** -11), 0x3c02, 'ties round to even (up)');
  assert.equal(toHalfBits(-0), 0x8000);
});

test('float16: the whole-array encoder gives the standard values, NaN, the ties and the subnormals', () => {
  const values = [...HALF.map(([v]) => v), 65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11, -0, 2 ** -14 - 2 ** -25, 2 ** -25, 2 ** -26, -(2 ** -24)];
  const want = [...HALF.map(([, b]) => b), 0x7c00, 0x3c00, 0x3c02, 0x8000, 0x0400, 0x0000, 0x0000, 0x8001];
  const out = new Uint16Array(values.length + 1);
  toHalfBitsArray(Float32Array.from([...values, NaN]), out);
  assert.deepEqual([...out.subarray(0, values.length)], want);
  assert.ok(Number.isNaN(fromHalfBits(out[values.length]!)));
});

test('numpy broadcasting rules', () => {
  assert.deepEqual(broadcastShapes([8, 1, 6, 1], [7, 1, 5]), [8, 7, 6, 5]); // numpy docs example
  assert.deepEqual(broadcastShapes([5, 4], [1]), [5, 4]);
  assert.deepEqual(broadcastShapes([15, 3, 5], [15, 1, 5]), [15, 3, 5]);
  assert.deepEqual(broadcastShapes([], [2, 3]), [2, 3]);
  assert.throws(() => broadcastShapes([2, 1], [8, 4, 3]), ShapeError);
  assert.deepEqual(broadcastStrides([3, 1], [2, 3, 4]), [0, 1, 0]);
  assert.deepEqual(stridesOf([2, 3, 4]), [12, 4, 1]);
});

test('tensors check their shapes and convert numerics exactly', () => {
  assert.throws(() => new Tensor('float32', [2, 2], new Float32Array(3)), ShapeError);
  assert.throws(() => new Tensor('float32', [-1]), ShapeError);
  const big = Tensor.fromNumeric('int64', [2], [2 ** 53, -(2 ** 40)]);
  assert.deepEqual([...big.data], [2n ** 53n, -(2n ** 40n)]);
  const b = Tensor.fromNumeric('bool', [3], [0, 2, -1]);
  assert.deepEqual([...b.data], [0, 1, 1]);
  assert.throws(() => new Tensor('float32', [1 << 20, 1 << 20]), ShapeError, 'refuses absurd allocations');
});

test('compareTensors applies |got-want| <= atol + rtol*|want|', () => {
  const want = Tensor.fromArray([3], [1, 100, NaN]);
  assert.ok(compareTensors(Tensor.fromArray([3], [1.0001, 100.1, NaN]), want, { atol: 1e-4, rtol: 1e-3 }).pass);
  const c = compareTensors(Tensor.fromArray([3], [1.01, 100, NaN]), want, { atol: 1e-4, rtol: 1e-3 });
  assert.equal(c.pass, false);
  assert.equal(c.mismatches, 1);
  assert.equal(c.firstMismatch?.index, 0);
  assert.ok(!compareTensors(Tensor.fromArray([2], [1, 100]), Tensor.fromArray([1, 2], [1, 100]), { atol: 0, rtol: 0 }).pass, 'shape differs');
});
