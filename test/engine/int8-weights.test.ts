// Weights of an int8 layer: a folded DequantizeLinear's grid comes back exactly, whatever its scale
// (onnxruntime's max/127, PyTorch's symmetric max/128 with a −128, a hand-set per-tensor scale);
// float weights get max |w| / 127 per channel. The expected integers are the model's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantizeWeights } from '../../src/engine/passes/int8-layers.js';

const dequantize = (q: number[], scale: (i: number) => number) => Float32Array.from(q, (v, i) => Math.fround(v * scale(i)));

test('a per-tensor grid whose scale is not max/127 (0.01 with max |q| = 100) is recovered exactly', () => {
  const q = [100, -37, 0, 5, -100, 63, 1, -2];
  const { q: got, scales } = quantizeWeights(dequantize(q, () => 0.01), 2, (i) => i % 2);
  assert.deepEqual([...got], q);
  assert.deepEqual([...scales], [Math.fround(0.01)]);
});

test('per-channel grids with a −128 (PyTorch\'s symmetric observer: max / 128) are recovered exactly, channel by channel', () => {
  const q = [-128, 64, 3, 127, -128, -1, 90, 12, -50];
  const s = [0.002, 0.05, 0.3];
  const { q: got, scales } = quantizeWeights(dequantize(q, (i) => s[Math.floor(i / 3)]!), 3, (i) => Math.floor(i / 3));
  assert.deepEqual([...got], q);
  assert.deepEqual([...scales], s.map(Math.fround));
});

test('float weights on no grid get max |w| / 127 per channel', () => {
  const w = Float32Array.of(0.31, -0.707, 0.1234, 1.9, -0.05, 0.777);
  const { q, scales } = quantizeWeights(w, 2, (i) => i % 2);
  // channel 0 holds 0.31, 0.1234, −0.05; channel 1 −0.707, 1.9, 0.777
  assert.deepEqual([...scales], [Math.fround(Math.fround(0.31) / 127), Math.fround(Math.fround(1.9) / 127)]);
  assert.deepEqual([...q], [127, -47, 51, 127, -20, 52]);
});
