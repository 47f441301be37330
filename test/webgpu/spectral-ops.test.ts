// DFT, STFT and MelWeightMatrix WGSL kernels against onnxruntime-node on seeded inputs: real and
// complex signals, forward, inverse, onesided and irfft, dft_length padding and truncating, the
// opset 17 (axis attribute) and 20 (axis input) forms; STFT with and without a window, complex
// signals, two-sided; MelWeightMatrix with computed (non-constant) rate and edges. Every node
// must run on the GPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const TOL = { atol: 2e-4, rtol: 1e-3 };
const i64 = (v: number) => Tensor.fromNumeric('int64', [], [v]);

test('DFT on WebGPU matches onnxruntime (real/complex, inverse, onesided, irfft, dft_length, axis; opsets 17 and 20)', { skip }, async () => {
  const cases: { x: Tensor; inverse?: number; onesided?: number; length?: number; axis: number; opset: 17 | 20; label: string }[] = [
    { x: randomTensor([2, 8, 1], 1), axis: 1, opset: 17, label: 'real, opset 17' },
    { x: randomTensor([3, 5, 2], 2), axis: 1, opset: 17, inverse: 1, label: 'complex inverse, opset 17' },
    { x: randomTensor([2, 3, 4, 2], 3), axis: 2, opset: 20, length: 7, label: 'complex, axis 2, dft_length padding' },
    { x: randomTensor([2, 9, 3, 1], 4), axis: 1, opset: 20, length: 5, label: 'real, dft_length truncating, inner dim' },
    { x: randomTensor([4, 11, 1], 5), axis: -2, opset: 20, onesided: 1, label: 'onesided, odd length' },
    { x: randomTensor([2, 5, 2], 6), axis: 1, opset: 20, inverse: 1, onesided: 1, length: 8, label: 'irfft, even length' },
    { x: randomTensor([3, 4, 2], 7), axis: 1, opset: 20, inverse: 1, onesided: 1, length: 7, label: 'irfft, odd length' },
    { x: randomTensor([1, 40, 2], 8), axis: 1, opset: 20, label: 'complex, 40 points' },
  ];
  for (const c of cases) {
    const attrs = { inverse: c.inverse ?? 0, onesided: c.onesided ?? 0, ...(c.opset === 17 ? { axis: c.axis } : {}) };
    const initializers: Record<string, Tensor> = {
      ...(c.length !== undefined ? { len: i64(c.length) } : {}), ...(c.opset === 20 ? { axis: i64(c.axis) } : {}),
    };
    const order = ['x', c.length !== undefined ? 'len' : '', ...(c.opset === 20 ? ['axis'] : [])];
    while (order.at(-1) === '') order.pop();
    await expectWebgpuLikeOrt({ op: 'DFT', opset: c.opset, attrs, inputs: { x: c.x }, initializers, inputOrder: order, outputs: ['y'] }, TOL, c.label);
  }
});

test('STFT on WebGPU matches onnxruntime (window, frame_length, two-sided)', { skip }, async () => {
  const hann = (n: number) => Tensor.fromNumeric('float32', [n], Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)));
  const cases: { x: Tensor; step: number; window?: Tensor; length?: number; onesided: number; label: string }[] = [
    { x: randomTensor([2, 40, 1], 10), step: 6, window: hann(16), onesided: 1, label: 'real, hann window' },
    { x: randomTensor([1, 33, 1], 11), step: 4, length: 9, onesided: 1, label: 'real, frame_length 9, no window' },
    { x: randomTensor([1, 30, 1], 13), step: 7, window: hann(10), length: 10, onesided: 0, label: 'real, two-sided, window and frame_length' },
  ];
  for (const c of cases) {
    const initializers: Record<string, Tensor> = { step: i64(c.step), ...(c.window ? { w: c.window } : {}), ...(c.length ? { len: i64(c.length) } : {}) };
    const order = ['x', 'step', c.window ? 'w' : '', c.length ? 'len' : ''];
    while (order.at(-1) === '') order.pop();
    await expectWebgpuLikeOrt({ op: 'STFT', opset: 17, attrs: { onesided: c.onesided }, inputs: { x: c.x }, initializers, inputOrder: order, outputs: ['y'] }, TOL, c.label);
  }
});

test('STFT of a complex signal on WebGPU equals the onnxruntime DFT of the windowed frames', { skip }, async () => {
  // onnxruntime's STFT mishandles complex signals (its output differs from the direct sum); its DFT
  // does not, so the reference is the DFT of each frame times the window
  const [batch, len, step, frame] = [2, 20, 5, 8];
  const x = randomTensor([batch, len, 2], 12);
  const window = randomTensor([frame], 14, 0.2, 1);
  const frames = 1 + Math.floor((len - frame) / step);
  const v = x.numeric();
  const w = window.numeric();
  const windowed = Tensor.fromNumeric('float32', [batch * frames, frame, 2], Array.from({ length: batch * frames * frame * 2 }, (_, i) => {
    const [c, t, f, b] = [i % 2, Math.floor(i / 2) % frame, Math.floor(i / (2 * frame)) % frames, Math.floor(i / (2 * frame * frames))];
    return v[(b * len + f * step + t) * 2 + c]! * w[t]!;
  }));
  const want = (await runOrt(oneNodeModel({
    op: 'DFT', opset: 20, inputs: { x: windowed }, initializers: { axis: i64(1) }, inputOrder: ['x', '', 'axis'], outputs: ['y'],
  }), { x: windowed })).y!;
  const spec = { op: 'STFT', opset: 17, attrs: { onesided: 0 }, inputs: { x }, initializers: { step: i64(step), w: window }, inputOrder: ['x', 'step', 'w'], outputs: ['y'] };
  const session = await createSession(importOnnx(oneNodeModel(spec)).graph, { device: 'webgpu' });
  const got = (await session.run({ x })).y!;
  assert.deepEqual(session.stats().webgpu!.fallbacks, []);
  session.dispose();
  assert.deepEqual([...got.shape], [batch, frames, frame, 2]);
  const c = compareTensors(got, Tensor.fromNumeric('float32', got.shape, want.numeric()), TOL);
  assert.ok(c.pass, JSON.stringify(c));
});

test('MelWeightMatrix on WebGPU matches onnxruntime with sample_rate and edge frequencies fed at run time', { skip }, async () => {
  const cases: { mel: number; dft: number; rate: number; lo: number; hi: number; rateType: 'int32' | 'int64'; out: number; label: string }[] = [
    { mel: 8, dft: 64, rate: 16000, lo: 0, hi: 8000, rateType: 'int64', out: 1, label: '8 bins, 16 kHz' },
    { mel: 20, dft: 256, rate: 22050, lo: 125, hi: 7600, rateType: 'int32', out: 1, label: '20 bins, 22.05 kHz, 125-7600 Hz' },
    { mel: 5, dft: 31, rate: 8000, lo: 300, hi: 3400, rateType: 'int64', out: 1, label: 'odd dft_length' },
    { mel: 40, dft: 512, rate: 44100, lo: 20, hi: 20000, rateType: 'int32', out: 1, label: '40 bins, 44.1 kHz' },
  ];
  for (const c of cases) {
    const inputs = {
      rate: Tensor.fromNumeric(c.rateType, [], [c.rate]),
      lo: Tensor.fromNumeric('float32', [], [c.lo]),
      hi: Tensor.fromNumeric('float32', [], [c.hi]),
    };
    await expectWebgpuLikeOrt({
      op: 'MelWeightMatrix', opset: 17, attrs: { output_datatype: c.out }, inputs,
      initializers: { bins: Tensor.fromNumeric(c.rateType, [], [c.mel]), dft: Tensor.fromNumeric(c.rateType, [], [c.dft]) }, inputOrder: ['bins', 'dft', 'rate', 'lo', 'hi'], outputs: ['y'],
    }, { atol: 1e-6, rtol: 1e-3 }, c.label);
  }
});
