// GridSample, RoiAlign and DeformConv on WebGPU against onnxruntime, with no CPU fallback: every
// GridSample mode × padding × align_corners (2-D and 3-D grids, points outside the image),
// RoiAlign avg/max in both coordinate modes, DeformConv with groups, offset groups and a mask.
import { test } from 'node:test';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;

test('GridSample on WebGPU: every mode, padding and align_corners, 2-D and 3-D', { skip }, async () => {
  const x = randomTensor([2, 3, 5, 6], 80);
  // grid points reach past [-1, 1] so every padding rule is exercised
  const grid = randomTensor([2, 4, 7, 2], 81, -1.6, 1.6);
  for (const mode of ['linear', 'nearest', 'cubic']) {
    for (const padding_mode of ['zeros', 'border', 'reflection']) {
      for (const align_corners of [0, 1]) {
        await expectWebgpuLikeOrt({ op: 'GridSample', opset: 20, attrs: { mode, padding_mode, align_corners }, inputs: { x, grid }, inputOrder: ['x', 'grid'], outputs: ['y'] },
          undefined, `${mode} ${padding_mode} align=${align_corners}`);
      }
    }
  }
  // opset 16 spelling
  await expectWebgpuLikeOrt({ op: 'GridSample', opset: 16, attrs: { mode: 'bicubic', padding_mode: 'border' }, inputs: { x, grid }, inputOrder: ['x', 'grid'], outputs: ['y'] }, undefined, 'opset 16 bicubic');
  const x3 = randomTensor([1, 2, 3, 4, 5], 82);
  const grid3 = randomTensor([1, 2, 3, 4, 3], 83, -1.4, 1.4);
  for (const mode of ['linear', 'nearest']) {
    for (const padding_mode of ['zeros', 'border', 'reflection']) {
      await expectWebgpuLikeOrt({ op: 'GridSample', opset: 20, attrs: { mode, padding_mode, align_corners: 1 }, inputs: { x: x3, grid: grid3 }, inputOrder: ['x', 'grid'], outputs: ['y'] },
        undefined, `3-D ${mode} ${padding_mode}`);
    }
  }
});

test('RoiAlign on WebGPU: avg and max, both coordinate modes, adaptive and fixed sampling', { skip }, async () => {
  const x = randomTensor([2, 3, 12, 10], 90);
  // an ROI partly outside the image, a thin one, a zero-size one
  const rois = Tensor.fromNumeric('float32', [5, 4], [0, 0, 9, 9, 2.5, 1.2, 7.7, 11.3, -3, -2, 4, 3, 3, 3, 3.5, 8, 5, 5, 5, 5]);
  const batch = Tensor.fromNumeric('int64', [5], [0, 1, 1, 0, 1]);
  for (const mode of ['avg', 'max']) {
    for (const coordinate_transformation_mode of ['half_pixel', 'output_half_pixel']) {
      for (const sampling_ratio of [0, 2]) {
        const attrs = { mode, coordinate_transformation_mode, sampling_ratio, output_height: 3, output_width: 4, spatial_scale: { float: 0.8 } };
        await expectWebgpuLikeOrt({ op: 'RoiAlign', opset: 16, attrs, inputs: { x, rois, batch }, inputOrder: ['x', 'rois', 'batch'], outputs: ['y'] },
          undefined, `${mode} ${coordinate_transformation_mode} ratio=${sampling_ratio}`);
      }
    }
  }
});

test('DeformConv on WebGPU: groups, offset groups, mask and bias, strides, pads and dilations', { skip }, async () => {
  // [N, C, H, W], [OC, C/group, kH, kW], group, offset_group, strides, pads, dilations
  const cases: [number[], number[], number, number, number[], number[], number[]][] = [
    [[1, 2, 5, 6], [3, 2, 3, 3], 1, 1, [1, 1], [1, 1, 1, 1], [1, 1]],
    [[2, 4, 6, 5], [4, 2, 2, 3], 2, 2, [2, 1], [0, 1, 1, 0], [1, 2]],
  ];
  for (const [k, [xs, ws, group, offset_group, strides, pads, dilations]] of cases.entries()) {
    const [n, , h, w] = xs as [number, number, number, number];
    const [oc, , kh, kw] = ws as [number, number, number, number];
    const oh = Math.floor((h + pads[0]! + pads[2]! - ((kh - 1) * dilations[0]! + 1)) / strides[0]!) + 1;
    const ow = Math.floor((w + pads[1]! + pads[3]! - ((kw - 1) * dilations[1]! + 1)) / strides[1]!) + 1;
    const inputs = {
      x: randomTensor(xs, 100 + k), w: randomTensor(ws, 110 + k),
      // offsets up to ±2.5 pixels: taps land between pixels and outside the image
      offset: randomTensor([n, offset_group * kh * kw * 2, oh, ow], 120 + k, -2.5, 2.5),
      b: randomTensor([oc], 130 + k), mask: randomTensor([n, offset_group * kh * kw, oh, ow], 140 + k, 0, 1),
    };
    const attrs = { group, offset_group, strides, pads, dilations, kernel_shape: [kh, kw] };
    await expectWebgpuLikeOrt({ op: 'DeformConv', opset: 19, attrs, inputs, inputOrder: ['x', 'w', 'offset', 'b', 'mask'], outputs: ['y'] }, undefined, `case ${k} with mask and bias`);
    const { x, w: wt, offset } = inputs;
    await expectWebgpuLikeOrt({ op: 'DeformConv', opset: 19, attrs, inputs: { x, wt, offset }, inputOrder: ['x', 'wt', 'offset'], outputs: ['y'] }, undefined, `case ${k} plain`);
  }
});
