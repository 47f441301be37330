// PRelu in the engine (a pointwise layer max(x, 0) + slope·min(x, 0), MTCNN's activation): after a
// convolution with a per-channel slope [C,1,1], after a Gemm with a slope [C], with a scalar slope and
// with a slope tensor of the input's shape, each built as one engine and compared with onnxruntime
// in fp32 (nnrt verify's tolerance) and fp16 (f16x2 storage: atol 1e-2, rtol 1e-2, half rounding of
// the conv's input, weights and output).
import { test } from 'node:test';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { FP32_TOLERANCE } from '../../src/tensor/compare.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { expectEngineLikeOrt, type PatternSpec } from '../helpers/engine-pattern.js';
import { randomTensor } from '../helpers/ort-reference.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const FP16 = { atol: 1e-2, rtol: 1e-2 };

test('PRelu: per-channel slope after a conv, [C] slope after a Gemm, scalar and full-shape slopes (fp32 and fp16)', { skip }, async () => {
  const specs: PatternSpec[] = [
    {
      nodes: [
        { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'] },
        { op: 'PRelu', inputs: ['c', 's'], outputs: ['y'] },
      ],
      inputs: { x: randomTensor([1, 3, 8, 8], 1) },
      initializers: { w: randomTensor([6, 3, 3, 3], 2, -0.5, 0.5), b: randomTensor([6], 3, -0.2, 0.2), s: randomTensor([6, 1, 1], 4, 0, 0.5) },
      outputs: ['y'],
    },
    {
      nodes: [
        { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['g'], attrs: { transB: 1 } },
        { op: 'PRelu', inputs: ['g', 's'], outputs: ['y'] },
      ],
      inputs: { x: randomTensor([2, 10], 5) },
      initializers: { w: randomTensor([6, 10], 6, -0.5, 0.5), b: randomTensor([6], 7, -0.2, 0.2), s: randomTensor([6], 8, 0, 0.5) },
      outputs: ['y'],
    },
    { nodes: [{ op: 'PRelu', inputs: ['x', 's'], outputs: ['y'] }], inputs: { x: randomTensor([2, 3, 4], 9) }, initializers: { s: randomTensor([1], 10, 0, 0.5) }, outputs: ['y'] },
    { nodes: [{ op: 'PRelu', inputs: ['x', 's'], outputs: ['y'] }], inputs: { x: randomTensor([2, 3, 4], 11), s: randomTensor([2, 3, 4], 12, 0, 0.5) }, outputs: ['y'] },
  ];
  for (const spec of specs) {
    await expectEngineLikeOrt(gpu!, spec, 'fp32', FP32_TOLERANCE);
    await expectEngineLikeOrt(gpu!, spec, 'fp16', FP16);
  }
});
