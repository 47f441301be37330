// Indexing, scatter, data-dependent, detection, spatial-sampling and signal ops: the ONNX backend
// node tests (onnx-node-full), onnxruntime-node on seeded inputs for cases those tests miss
// (negative indices, every scatter reduction, NMS variants, sampling modes), and data-dependent
// shapes through the WebGPU executor's stages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataSet } from '../../src/node/backend-test.js';
import { loadOnnxFile } from '../../src/node/files.js';
import { createSession } from '../../src/runtime/session.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { conformanceTests, foldersMatching, FULL_FIXTURES } from '../helpers/conformance.js';
import { expectOneNodeLikeOrt, randomTensor } from '../helpers/ort-reference.js';

const OPS = new RegExp(
  '^test_(gather_elements|gathernd|scatter|tensorscatter|nonzero|unique|compress|reversesequence|maxunpool|center_crop_pad|' +
    'gridsample|affine_grid_[23]d(_align_corners)?$|roialign|nonmaxsuppression|basic_deform_conv|deform_conv|col2im|dft|stft|' +
    'image_decoder|nllloss_.*_expanded$)',
);
conformanceTests('indexing-op', foldersMatching(OPS, FULL_FIXTURES), 'cpu', FULL_FIXTURES);

const int64s = (shape: number[], v: number[]) => Tensor.fromNumeric('int64', shape, v);

/** Seeded integers in [lo, hi) (a small LCG, so every run draws the same). */
function randomInts(n: number, seed: number, lo: number, hi: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo));
  });
}

const expectSameAsOrt = expectOneNodeLikeOrt;

test('GatherElements with negative indices on every axis of a 3-D tensor matches onnxruntime', async () => {
  const data = randomTensor([3, 4, 5], 11);
  for (const axis of [0, 1, 2, -1]) {
    const n = data.shape.at(axis)!;
    const shape = [3, 4, 5].map((d, i) => (i === (axis + 3) % 3 ? 6 : Math.max(1, d - 1)));
    const idx = int64s(shape, randomInts(shape.reduce((a, b) => a * b), 20 + axis, -n, n));
    await expectSameAsOrt({ op: 'GatherElements', opset: 13, attrs: { axis }, inputs: { data, idx }, inputOrder: ['data', 'idx'], outputs: ['y'] });
  }
  // int64 data moves exactly
  const big = Tensor.fromNumeric('int64', [2, 3], [1, -2, 3, 4, 5, -6]);
  await expectSameAsOrt({ op: 'GatherElements', opset: 13, attrs: { axis: 1 }, inputs: { big, idx: int64s([2, 2], [-1, 0, 2, -3]) }, inputOrder: ['big', 'idx'], outputs: ['y'] });
});

test('ScatterElements with every reduction, duplicate and negative indices, matches onnxruntime', async () => {
  const data = randomTensor([4, 5, 3], 31);
  for (const reduction of ['none', 'add', 'mul', 'max', 'min']) {
    for (const axis of [1, -3]) {
      const n = data.shape.at(axis)!;
      const shape = axis === 1 ? [4, 3, 3] : [3, 5, 3];
      const size = shape.reduce((a, b) => a * b);
      // 'none' needs distinct targets along the axis: a permutation slice per line
      const idx = reduction === 'none'
        ? int64s(shape, Array.from({ length: size }, (_, i) => ((axis === 1 ? Math.floor(i / 3) % 3 : Math.floor(i / 15)) - n)))
        : int64s(shape, randomInts(size, 40 + axis, -n, n));
      const updates = randomTensor(shape, 50 + axis);
      await expectSameAsOrt({
        op: 'ScatterElements', opset: 18, attrs: { axis, reduction }, inputs: { data, idx, updates }, inputOrder: ['data', 'idx', 'updates'], outputs: ['y'],
      });
    }
  }
});

test('ScatterND with every reduction on duplicate index tuples matches onnxruntime', async () => {
  const data = randomTensor([4, 3, 2], 61);
  const idx = int64s([5, 2], [0, 1, 3, 2, 0, 1, -1, 0, 2, -3]);
  for (const reduction of ['add', 'mul', 'max', 'min']) {
    await expectSameAsOrt({
      op: 'ScatterND', opset: 18, attrs: { reduction }, inputs: { data, idx, updates: randomTensor([5, 2], 62) }, inputOrder: ['data', 'idx', 'updates'], outputs: ['y'],
    });
  }
  await expectSameAsOrt({ op: 'GatherND', opset: 13, attrs: { batch_dims: 1 }, inputs: { data, idx: int64s([4, 2, 1], [0, 2, 1, 1, 2, 0, 0, 0]) }, inputOrder: ['data', 'idx'], outputs: ['y'] });
});

test('NonMaxSuppression variants (batches, classes, thresholds, box formats) match onnxruntime', async () => {
  const boxes = randomTensor([2, 40, 4], 71, 0, 10);
  const scores = randomTensor([2, 3, 40], 72, 0, 1);
  const scalar = (dtype: 'int64' | 'float32', v: number) => Tensor.fromNumeric(dtype, [1], [v]);
  const cases: [number, number, number | undefined, number][] = [[5, 0.3, 0.2, 0], [100, 0.5, undefined, 0], [3, 0.1, 0.6, 1], [0, 0.5, 0, 0]];
  for (const [max, iou, score, center] of cases) {
    const inputs: Record<string, Tensor> = { boxes, scores, max: scalar('int64', max), iou: scalar('float32', iou) };
    if (score !== undefined) inputs.score = scalar('float32', score);
    await expectSameAsOrt({
      op: 'NonMaxSuppression', opset: 11, attrs: { center_point_box: center }, inputs, inputOrder: Object.keys(inputs), outputs: ['selected'],
    });
  }
});

test('Unique, NonZero and Compress (data-dependent shapes) match onnxruntime', async () => {
  const x = Tensor.fromNumeric('float32', [4, 6], randomInts(24, 81, -3, 4));
  const uniqueAttrs: Record<string, number>[] = [{ sorted: 1 }, { sorted: 0 }, { sorted: 1, axis: 1 }, { sorted: 0, axis: 0 }];
  for (const attrs of uniqueAttrs) {
    await expectSameAsOrt({ op: 'Unique', opset: 11, attrs, inputs: { x }, inputOrder: ['x'], outputs: ['y', 'indices', 'inverse', 'counts'] });
  }
  await expectSameAsOrt({ op: 'NonZero', opset: 13, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  const cond = Tensor.fromNumeric('bool', [5], [1, 0, 1, 1, 0]);
  await expectSameAsOrt({ op: 'Compress', opset: 11, attrs: { axis: 1 }, inputs: { x, cond }, inputOrder: ['x', 'cond'], outputs: ['y'] });
});

test('GridSample in every mode, padding mode and align_corners setting matches onnxruntime', async () => {
  const x = randomTensor([2, 3, 5, 7], 91);
  const grid = randomTensor([2, 4, 6, 2], 92, -1.4, 1.4); // some points outside, to exercise padding
  for (const mode of ['nearest', 'linear', 'cubic']) {
    for (const padding_mode of ['zeros', 'border', 'reflection']) {
      for (const align_corners of [0, 1]) {
        await expectSameAsOrt({ op: 'GridSample', opset: 20, attrs: { mode, padding_mode, align_corners }, inputs: { x, grid }, inputOrder: ['x', 'grid'], outputs: ['y'] }, { rtol: 1e-4, atol: 1e-5 });
      }
    }
  }
});

test('RoiAlign (avg, max; both coordinate modes; adaptive sampling) matches onnxruntime', async () => {
  const x = randomTensor([2, 3, 12, 10], 101);
  const rois = Tensor.fromNumeric('float32', [4, 4], [0, 0, 9, 9, 2.5, 1.2, 7.7, 11.3, -1, -1, 4, 3, 3, 3, 3.5, 8]);
  const batch = int64s([4], [0, 1, 1, 0]);
  for (const mode of ['avg', 'max']) {
    for (const coordinate_transformation_mode of ['half_pixel', 'output_half_pixel']) {
      for (const sampling_ratio of [0, 1, 2]) {
        await expectSameAsOrt({
          op: 'RoiAlign', opset: 16, attrs: { mode, coordinate_transformation_mode, sampling_ratio, output_height: 3, output_width: 4, spatial_scale: { float: 0.8 } },
          inputs: { x, rois, batch }, inputOrder: ['x', 'rois', 'batch'], outputs: ['y'],
        }, { rtol: 1e-4, atol: 1e-5 });
      }
    }
  }
});

test('DFT forward, inverse, one-sided and with a dft_length matches onnxruntime', async () => {
  const x = randomTensor([2, 9, 3, 2], 111);
  const real = randomTensor([2, 8, 1], 112);
  const axis = Tensor.fromNumeric('int64', [], [1]);
  await expectSameAsOrt({ op: 'DFT', opset: 20, attrs: { inverse: 1 }, inputs: { x }, initializers: { axis }, inputOrder: ['x', '', 'axis'], outputs: ['y'] }, { rtol: 1e-4, atol: 1e-4 });
  await expectSameAsOrt({ op: 'DFT', opset: 20, attrs: { onesided: 1 }, inputs: { real }, initializers: { axis, len: Tensor.fromNumeric('int64', [], [11]) }, inputOrder: ['real', 'len', 'axis'], outputs: ['y'] }, { rtol: 1e-4, atol: 1e-4 });
  await expectSameAsOrt({ op: 'DFT', opset: 17, attrs: { axis: 2 }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] }, { rtol: 1e-4, atol: 1e-4 });
});

test('ImageDecoder decodes the JPEG test images close to libjpeg in luma', async (t) => {
  // The backend tests expect libjpeg's exact pixels (excluded from the exact conformance run).
  // jpeg-js differs in IDCT rounding and, more, in chroma upsampling (nearest vs libjpeg's
  // triangle filter), which these random-noise images magnify; luma is not subsampled, so the
  // luma of the decoded pixels must agree within about a level.
  for (const format of ['rgb', 'bgr', 'grayscale']) {
    const dir = join(FULL_FIXTURES, `test_image_decoder_decode_jpeg_${format}`);
    if (!existsSync(dir)) return t.skip(`${dir} is absent`);
    const session = await createSession(loadOnnxFile(join(dir, 'model.onnx')).graph, { device: 'cpu' });
    const ds = loadDataSet(join(dir, 'test_data_set_0'));
    const got = (await session.run({ [session.inputs[0]!.name]: ds.inputs[0]! }))[session.outputs[0]!.name]!;
    assert.deepEqual(got.shape, ds.outputs[0]!.shape);
    const c = got.shape[2]!;
    const luma = (p: Uint8Array, i: number) => (c === 1 ? p[i]! : format === 'bgr'
      ? 0.299 * p[i * 3 + 2]! + 0.587 * p[i * 3 + 1]! + 0.114 * p[i * 3]!
      : 0.299 * p[i * 3]! + 0.587 * p[i * 3 + 1]! + 0.114 * p[i * 3 + 2]!);
    const pixels = got.shape[0]! * got.shape[1]!;
    let sum = 0;
    for (let i = 0; i < pixels; i++) sum += Math.abs(luma(got.data as Uint8Array, i) - luma(ds.outputs[0]!.data as Uint8Array, i));
    assert.ok(sum / pixels < 1.5, `${format}: mean luma difference ${(sum / pixels).toFixed(2)} levels`);
  }
});
