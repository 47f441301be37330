// Calibration algorithms and the calibrator. Entropy is checked against a direct, unoptimized
// transcription of TensorRT's EntropyCalibration2 written here (P and Q built as arrays, KL summed
// as scipy.stats.entropy does, with the same smoothing), and against what it must do (clip rare
// outliers of a Gaussian, keep a uniform range); percentile and min-max against values computed
// from the data directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrateGraph } from '../../src/runtime/calibrate.js';
import { AbsHistogram, HISTOGRAM_BINS } from '../../src/engine/calibrate/histogram.js';
import { entropyAmax, percentileAmax } from '../../src/engine/calibrate/thresholds.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel } from '../helpers/ort-reference.js';

/** Seeded normal samples (Box–Muller over mulberry32). */
function normal(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

/** TensorRT's entropy calibration, transcribed plainly (O(bins²) arrays). */
function directEntropy(counts: Float64Array, width: number): number {
  const bins = counts.length;
  let best = bins;
  let bestKl = Infinity;
  for (let i = 128; i <= bins; i++) {
    const p = Array.from(counts.subarray(0, i));
    for (let j = i; j < bins; j++) p[i - 1]! += counts[j]!;
    const q = new Array<number>(i).fill(0);
    for (let g = 0; g < 128; g++) {
      const start = Math.floor((g * i) / 128);
      const end = g === 127 ? i : Math.floor(((g + 1) * i) / 128);
      const slice = Array.from(counts.subarray(start, end));
      const nz = slice.filter((v) => v !== 0).length;
      const total = slice.reduce((a, b) => a + b, 0);
      for (let j = start; j < end; j++) q[j] = counts[j] !== 0 ? total / nz : 0;
    }
    const sp = p.reduce((a, b) => a + b, 0);
    const sq = q.reduce((a, b) => a + b, 0);
    if (sq === 0) continue;
    const pn = p.map((v) => v / sp);
    let qn = q.map((v) => v / sq);
    const zeros = qn.filter((v) => v === 0).length;
    const take = (1e-4 * zeros) / (i - zeros);
    qn = qn.map((v) => (v === 0 ? 1e-4 : v - take));
    let kl = 0;
    for (let j = 0; j < i; j++) if (pn[j]! > 0) kl += pn[j]! * Math.log(pn[j]! / qn[j]!);
    if (kl < bestKl) { bestKl = kl; best = i; }
  }
  return best * width;
}

function histogramOf(values: Float32Array): AbsHistogram {
  const amax = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const h = new AbsHistogram(amax);
  h.add(values);
  return h;
}

test('entropy agrees with the direct transcription and clips a Gaussian\'s rare outliers', () => {
  const g = normal(200_000, 3);
  g[0] = 40; // far outliers stretch the histogram
  g[1] = -35;
  const h = histogramOf(g);
  const amax = entropyAmax(h);
  assert.ok(Math.abs(amax - directEntropy(h.counts, h.width)) < 1e-9, `${amax} vs ${directEntropy(h.counts, h.width)}`);
  assert.ok(amax > 2.5 && amax < 10, `a threshold that keeps the body and drops the outliers, got ${amax}`);
  // ReLU-like half-normal data
  const relu = normal(50_000, 5).map((v) => Math.max(0, v));
  const hr = histogramOf(relu);
  assert.ok(Math.abs(entropyAmax(hr) - directEntropy(hr.counts, hr.width)) < 1e-9);
});

test('entropy keeps the whole range of a uniform distribution', () => {
  const u = Float32Array.from({ length: 100_000 }, (_, i) => (i / 100_000) * 2 - 1);
  const h = histogramOf(u);
  assert.ok(entropyAmax(h) > 0.95, String(entropyAmax(h)));
  assert.equal(entropyAmax(new AbsHistogram(1)), 0, 'an empty histogram');
});

test('percentile: the upper edge of the bin holding the requested share', () => {
  const n = 1_000_000;
  const v = Float32Array.from({ length: n }, (_, i) => (i + 1) / n); // 1e-6 ... 1
  const h = histogramOf(v);
  // 99.99% of values are ≤ 0.9999; that value lies in bin floor(0.9999·2048) = 2047 → edge 1.0
  assert.equal(percentileAmax(h, 99.99), 1);
  // 50%: value 0.5 is in bin 1024 → edge 1025/2048
  assert.equal(percentileAmax(h, 50), 1025 / HISTOGRAM_BINS);
  assert.throws(() => percentileAmax(h, 0), RangeError);
});

test('the calibrator records every float activation; min-max scales are max|x|/127 of the data', async () => {
  // y = Relu(x): x's range over both batches, and Relu's (the largest positive x)
  const x0 = new Tensor('float32', [2, 3], Float32Array.from([0.5, -2, 1, 0.25, 3, -1]));
  const x1 = new Tensor('float32', [2, 3], Float32Array.from([-4, 0.5, 1.5, 2, 0, 0.1]));
  const { graph } = importOnnx(oneNodeModel({ op: 'Relu', inputs: { x: x0 }, inputOrder: ['x'], outputs: ['y'] }));
  const batches = [x0, x1];
  const seen: string[] = [];
  const cache = await calibrateGraph(graph, { count: 2, get: (i) => ({ x: batches[i]! }) }, {
    algo: 'minmax', progress: (p) => seen.push(`${p.pass}/${p.passes}:${p.batch}/${p.batches}`),
  });
  assert.deepEqual([...cache.scales.keys()], ['x', 'y']);
  assert.equal(cache.scales.get('x'), 4 / 127);
  assert.equal(cache.scales.get('y'), 3 / 127);
  assert.match(cache.header, /^TRT-NNRT\d+-MinMaxCalibration$/);
  assert.deepEqual(seen, ['1/1:1/2', '1/1:2/2']);
  const ent = await calibrateGraph(graph, { count: 2, get: (i) => ({ x: batches[i]! }) }, { algo: 'entropy' });
  assert.match(ent.header, /EntropyCalibration2$/);
  assert.ok(ent.scales.get('x')! > 0 && ent.scales.get('x')! <= 4 / 127);
});
