// int8 on a trained network with face-like data: insightface's gender-age model (MXNet checkpoint in
// ../shared/fixtures/mxnet), calibrated (minmax) on 8 seeded face crops of the test photographs
// (bench/face-crops.ts), built as an int8 engine with the early layers conv_2..conv_5 pinned to fp32
// (the layers that lose most, as bench/int8-faces.ts measured), and compared on 12 other crops with
// onnxruntime fp32 running nnrt's ONNX export of the same checkpoint. Floors: what this test measured
// on lavapipe (gender 12/12, mean abs Δage 1.33, fc1 relative L2 0.053 with symmetric int8 ReLU
// outputs, bench/results/int8-faces-2026-12-04.md; gender 11/12, Δage 1.00, fc1 0.033 with them
// uint8, 2026-12-05), with a little slack for another device's float rounding:
// gender agrees on ≥ 11 of 12, the age (Σ of 100 pair argmaxes) within 2 years on average, fc1
// within 6% (relative L2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { FACE_MODELS, agreement, cropInputs, loadFaceModel, runEngine, runOrtAll } from '../../bench/int8-faces.js';

const skip = webgpuSkip() ?? false;
const PINNED = ['conv_2_dw_conv2d', 'conv_2_conv2d', 'conv_3_dw_conv2d', 'conv_3_conv2d', 'conv_4_dw_conv2d', 'conv_4_conv2d', 'conv_5_dw_conv2d', 'conv_5_conv2d'];

test('int8 gender-age model (minmax, conv_2..conv_5 fp32) agrees with onnxruntime fp32 on held-out face crops', { skip }, async () => {
  const gpu = await sharedGpuDevice(await defaultGpu());
  const m = FACE_MODELS.find((f) => f.key === 'ga')!;
  const { graph, onnx } = loadFaceModel(m);
  const evalSet = cropInputs(m, 100_000, 12, 0);
  const want = await runOrtAll(onnx, evalSet);
  const got = await runEngine(gpu, graph, m.size, evalSet, { algo: 'minmax', calib: cropInputs(m, 0, 8, 0), layerPrecision: Object.fromEntries(PINNED.map((p) => [p, 'fp32' as const])) });
  assert.equal(got.int8Layers, 20, 'the other 19 convolutions and pre_fc1 run as int8 layers');
  const a = agreement(m, want, got.outputs);
  let num = 0;
  let den = 0;
  got.outputs.forEach((o, i) => o.fc1_output!.forEach((v, j) => {
    const w = want[i]!.fc1_output![j]!;
    num += (v - w) ** 2;
    den += w ** 2;
  }));
  const rel = Math.sqrt(num / den);
  const summary = `${JSON.stringify(a)}; fc1 relative L2 ${rel.toFixed(4)}`;
  console.log(summary);
  assert.ok(a.counts.gender![0] >= 11, summary);
  assert.ok(a.means['mean abs Δage']! <= 2, summary);
  assert.ok(rel <= 0.06, summary);
});
