// ConvTranspose in the engine (layers/conv-transpose.ts, a direct gather kernel): strides, pads,
// output_padding, groups, dilations, 1-D, auto_pad SAME_UPPER and output_shape, each built as one
// engine and compared with onnxruntime in fp32 (nnrt verify's tolerance) and fp16 (f16x2 storage:
// atol 1e-2, rtol 1e-2); and a QDQ model around it (QuantizeLinear/DequantizeLinear of the input,
// per-channel DequantizeLinear of int8 weights, QuantizeLinear/DequantizeLinear of the output, as
// onnxruntime's quantizer writes it) as one engine, within one output quantization step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { expectEngineLikeOrt, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { I8, QdqBuilder, U8 } from '../helpers/qdq-models.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const FP16 = { atol: 1e-2, rtol: 1e-2 };

const one = (x: number[], w: number[], attrs: PatternSpec['nodes'][0]['attrs'], bias = true, seed = 1): PatternSpec => ({
  nodes: [{ op: 'ConvTranspose', inputs: ['x', 'w', ...(bias ? ['b'] : [])], outputs: ['y'], attrs }],
  inputs: { x: randomTensor(x, seed) },
  initializers: { w: randomTensor(w, seed + 1, -0.5, 0.5), ...(bias ? { b: randomTensor([w[1]! * (Number(attrs?.group ?? 1))], seed + 2, -0.2, 0.2) } : {}) },
  outputs: ['y'],
});

test('ConvTranspose: strides, pads, output_padding, groups, dilations, 1-D, SAME_UPPER and output_shape (fp32 and fp16)', { skip }, async () => {
  const specs = [
    one([1, 3, 5, 5], [3, 4, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }),
    one([2, 4, 4, 3], [4, 2, 2, 3], { group: 2, strides: [2, 1], dilations: [1, 2] }, false, 4),
    one([1, 2, 6], [2, 3, 4], { strides: [3], pads: [1, 2] }, true, 7),
    one([1, 2, 3, 3], [2, 2, 3, 3], { strides: [2, 2], auto_pad: 'SAME_UPPER' }, true, 10),
    one([1, 2, 3, 4], [2, 3, 2, 2], { strides: [2, 2], output_shape: [5, 7] }, true, 13),
  ];
  for (const spec of specs) {
    const plan = await expectEngineLikeOrt(gpu!, spec, 'fp32', FP32_TOLERANCE);
    assert.ok(plan.layers.some((l) => l.kind === 'convtranspose'), JSON.stringify(plan.layers.map((l) => l.kind)));
    await expectEngineLikeOrt(gpu!, spec, 'fp16', FP16);
  }
});

test('QDQ around ConvTranspose (uint8 input, per-channel int8 weights, int8 output) is one engine within one output step of onnxruntime', { skip }, async () => {
  const b = new QdqBuilder();
  const xd = b.qdq('x', U8(0.02, 128));
  const [wd] = b.weight(randomTensor([4, 3, 3, 3], 21, -0.5, 0.5), 1);
  const y = b.node('ConvTranspose', [xd, wd], { strides: [2, 2], pads: [1, 1, 1, 1] });
  const out = b.qdq(y, I8(0.01));
  const spec = b.spec({ x: randomTensor([1, 4, 5, 5], 22, -2, 2) }, [out]);
  // one output step (0.01), plus float rounding: the dequantized values agree within a step everywhere
  await expectEngineLikeOrt(gpu!, spec, 'fp32', { atol: 0.01 + 1e-5, rtol: 0 });
});
