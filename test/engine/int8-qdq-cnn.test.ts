// torchvision's SqueezeNet 1.1 and ShuffleNetV2 x0.5 (../shared/models) quantized as
// onnxruntime's quantize_static quantizes CNNs (bench/quantize-static.ts with Conv, Gemm and
// MatMul: QDQ around their inputs and outputs, onnxruntime-calibrated uint8 activations, int8
// per-channel weights, int32 biases), and as NVIDIA's tools write TensorRT's explicit
// quantization (int8 symmetric activations on the inputs only, Q → DQ of the float weights) run in one webgpu engine with their convolutions as int8
// layers and quantized tensors stored as bytes between layers (ShuffleNet's channel split,
// shuffle and concat included), and agree with onnxruntime on the quantized model: the same top-1,
// every logit within 1% of the logits' spread, with graph optimizations off (the ONNX semantics)
// and on (its fused integer kernels). Both stems are 3×3 stride-2 convs over the image, read
// space-to-depth (int8-space-to-depth).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import '../../src/node/webgpu.js';
import { loadOnnxFile } from '../../src/node/files.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { createSession } from '../../src/runtime/session.js';
import { FOLDED_REASON } from '../../src/partition/partition.js';
import { uniformTensor } from '../../src/tensor/random.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { calibrateMinMax, insertQdq, ONNXRUNTIME_STYLE, quantizedActivations, TENSORRT_STYLE, type QdqStyle, type QuantizedOp } from '../../bench/quantize-static.js';

const MODELS = join(import.meta.dirname, '../../../shared/models');
const OPS: readonly QuantizedOp[] = ['Conv', 'Gemm', 'MatMul'];
const EXPECT: Record<string, { convs: number; bytes: RegExp }> = {
  // every map of SqueezeNet is odd-sized (111², 55², 27², 13²), but its images are channels-last and
  // every conv has a multiple of 4 output channels: each stores four channels of a pixel a word
  squeezenet1_1: { convs: 26, bytes: /^\[int8-storage\] \d+ quantized tensors stored as bytes \(written by 26 int8 and \d+ pointwise layers\)$/ },
  shufflenet_v2_x0_5: { convs: 56, bytes: /^\[int8-storage\] \d+ quantized tensors stored as bytes \(written by [1-9]\d* int8 and \d+ pointwise layers\)$/ },
};

const STYLES: [string, QdqStyle][] = [['as quantize_static does', ONNXRUNTIME_STYLE], ['as TensorRT explicit quantization (int8 symmetric activations, Q → DQ of float weights)', TENSORRT_STYLE]];
for (const [name, expect] of Object.entries(EXPECT)) for (const [how, style] of STYLES) {
  const file = join(MODELS, name, 'model.onnx');
  const skip = webgpuSkip() ?? (existsSync(file) ? false : `${file} is absent`);
  test(`${name} quantized ${how}: one engine, int8 convolutions, bytes between layers, onnxruntime's results`, { skip }, async () => {
    const { graph } = loadOnnxFile(file);
    const input = graph.inputs.find((i) => !graph.initializers.has(i.name))!;
    const shape = input.shape.map((d) => (typeof d === 'number' ? d : 1));
    const image = (seed: number) => uniformTensor(shape, seed, -2, 2);
    const toOrt = (t: ReturnType<typeof image>) => ({ [input.name]: new ort.Tensor('float32', t.data as Float32Array, shape) });
    const ranges = await calibrateMinMax(graph, quantizedActivations(graph, OPS, style.outputs), [1, 2, 3, 4].map((s) => toOrt(image(s))));
    insertQdq(graph, ranges, OPS, style);
    const model = exportOnnx(graph, { opset: Math.max(13, graph.opsets.get('') ?? 13) });
    const log: string[] = [];
    const session = await createSession(importOnnx(model).graph, { device: 'webgpu', engine: 'webgpu', timeTactics: false, log: (l) => log.push(l) });
    const semantic = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
    const fused = await ort.InferenceSession.create(model);
    const out = graph.outputs[0]!.name;
    const argmax = (v: Float32Array) => v.indexOf(Math.max(...v));
    try {
      for (const seed of [100, 101]) {
        const x = image(seed);
        const got = (await session.run({ [input.name]: x }))[out]!.data as Float32Array;
        for (const [what, ref] of [['ONNX semantics', semantic], ['fused kernels', fused]] as const) {
          const want = (await ref.run(toOrt(x)))[out]!.data as Float32Array;
          const spread = Math.max(...want) - Math.min(...want);
          let worst = 0;
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
          assert.equal(argmax(got), argmax(want), `seed ${seed}: top-1 against onnxruntime (${what})`);
          assert.ok(worst <= 0.01 * spread, `seed ${seed}: a logit ${worst} from onnxruntime (${what}), spread ${spread}`);
        }
      }
      const p = session.stats().engine!.partition;
      assert.equal(p.subgraphs.length, 1);
      assert.deepEqual(p.declined.filter((d) => d.reason !== FOLDED_REASON), [], 'every node that runs is in the engine');
      assert.equal(log.filter((l) => /→ int8 conv/.test(l)).length, expect.convs, 'every Conv is an int8 layer');
      const bytes = log.filter((l) => l.includes('int8-storage'));
      assert.equal(bytes.length, 1, log.join('\n').slice(0, 2000));
      assert.match(bytes[0]!, style === ONNXRUNTIME_STYLE ? expect.bytes : /^\[int8-storage\] \d+ quantized tensors stored as bytes/);
      // the 3×3 stride-2 stem over the image reads it space-to-depth (int8-space-to-depth)
      assert.equal(log.filter((l) => /^\[int8-space-to-depth\] .* \(3×3 stride 2 over 3 channels\) reads input_QuantizeLinear's integers space-to-depth: 2×2 stride 1 over 16 channels$/.test(l)).length, 1, log.filter((l) => l.includes('int8')).join('\n').slice(0, 2000));
    } finally {
      session.dispose();
      await semantic.release();
      await fused.release();
    }
  });
}
