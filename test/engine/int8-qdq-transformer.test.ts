// A transformer quantized as onnxruntime's quantize_static quantizes BERT (QDQ around every
// MatMul's inputs and output, uint8 activations calibrated by onnxruntime, int8 per-column
// weights; bench/quantize-static.ts) through the whole engine on WebGPU: the weight MatMuls are
// int8 layers, and the output agrees with onnxruntime on the quantized model.
//
// Two onnxruntime references: graph optimizations off computes what the ONNX graph says
// (DequantizeLinear, a float MatMul, QuantizeLinear); the default session fuses the Q/DQ nodes
// into integer kernels (QLinearMatMul, MatMulIntegerToFloat) and the float ops into its own
// (LayerNorm, GELU, attention), whose different float rounding moves a few values across a
// rounding boundary of the next QuantizeLinear, and those steps travel through the layers. nnrt
// follows the ONNX semantics, so it is held to the first tightly and to the second at the bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import { Engine } from '../../src/engine/runtime.js';
import { loadOnnxFile, readTensorPb } from '../../src/node/files.js';
import { createSession } from '../../src/runtime/session.js';
import { FOLDED_REASON } from '../../src/partition/partition.js';
import { exportOnnx } from '../../src/onnx/export/model.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { calibrateMinMax, insertQdq, matmulActivations, quantizedActivations, type Feeds, type QuantizedOp } from '../../bench/quantize-static.js';

const skip = webgpuSkip() ?? false;
const MODEL = join(import.meta.dirname, '../fixtures/transformers/bert_tiny/model.onnx');

/** Seeded BERT feeds: token ids below `vocab`, a mask of ones, token types 0. */
function bertFeeds(shape: number[], vocab: number, seed: number): Record<string, Tensor> {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    input_ids: new Tensor('int64', shape, BigInt64Array.from({ length: n }, () => BigInt(Math.floor(next() * vocab)))),
    attention_mask: new Tensor('int64', shape, BigInt64Array.from({ length: n }, () => 1n)),
    token_type_ids: new Tensor('int64', shape, new BigInt64Array(n)),
  };
}

const toOrt = (f: Record<string, Tensor>): Feeds =>
  Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor('int64', t.data as BigInt64Array, [...t.shape])]));

/** Share of elements within `step` (plus float rounding) of the reference. */
function withinStep(got: Float32Array, want: Float32Array, step: number): number {
  let ok = 0;
  for (let i = 0; i < got.length; i++) if (Math.abs(got[i]! - want[i]!) <= step * 1.001 + 1e-5) ok++;
  return ok / got.length;
}

test('a BERT quantized as quantize_static does runs whole in the engine with int8 weight MatMuls and agrees with onnxruntime', { skip }, async () => {
  const { graph } = loadOnnxFile(MODEL);
  const shape = [1, 16];
  const embeddings = graph.nodes.find((n) => n.opType === 'Gather' && graph.initializers.has(n.inputs[0]!))!;
  const vocab = graph.initializers.get(embeddings.inputs[0]!)!.shape[0]!;
  const ranges = await calibrateMinMax(graph, matmulActivations(graph), Array.from({ length: 6 }, (_, i) => toOrt(bertFeeds(shape, vocab, 100 + i))));
  const matmuls = insertQdq(graph, ranges);
  assert.equal(matmuls, 16, 'two layers: Q, K, V, attention output, two feed-forward MatMuls, Q·Kᵀ and P·V each');
  const model = exportOnnx(graph, { opset: graph.opsets.get('') ?? 17 });

  const gpu = await sharedGpuDevice(await defaultGpu());
  const log: string[] = [];
  const plan = await buildEnginePlan(gpu, importOnnx(model).graph, Object.fromEntries(graph.inputs.map((i) => [i.name, shape])), { timeTactics: false, log: (l) => log.push(l) });
  // each requantizes its output (the quantizer puts a Q/DQ pair after every MatMul) and writes it
  // as uint8 bytes, which the dequantizing pointwise layer after it reads; the quantizes of the
  // four LayerNorm outputs fold into the norms, which write bytes; the quantize layers before the
  // other int8 layers write bytes too, except the two (one a layer) whose readers are all int8
  // products: those quantize their float input as they load it
  assert.equal(log.filter((l) => l.startsWith('[fuse-norm-quantize]')).length, 4, log.join('\n'));
  const onLoad = log.filter((l) => l.startsWith('[int8-quantize-on-load]'));
  assert.equal(onLoad.length, 2, log.join('\n'));
  assert.deepEqual(log.filter((l) => l.includes('int8-storage')), ['[int8-storage] 18 quantized tensors stored as bytes (written by 12 int8, 2 pointwise and 4 norm layers)']);
  const int8 = plan.layers.filter((l) => l.kind === 'qlinear');
  // the 12 MatMuls by weights are int8 layers; Q·Kᵀ and P·V (both operands computed) stay float
  assert.equal(int8.length, 12, JSON.stringify(plan.layers.map((l) => [l.kind, l.name])));
  assert.ok(int8.every((l) => l.tactic.startsWith('int8-gemm-')), int8.map((l) => l.tactic).join(', '));

  const semantic = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
  const fused = await ort.InferenceSession.create(model);
  const engine = await Engine.load(gpu, plan);
  const context = await engine.createExecutionContext();
  const out = graph.outputs[0]!.name;
  try {
    for (const seed of [7, 8]) {
      const feeds = bertFeeds(shape, vocab, seed);
      const got = (await context.run(feeds))[out]!.data as Float32Array;
      const ref = (await semantic.run(toOrt(feeds)))[out]!.data as Float32Array;
      const ortInt8 = (await fused.run(toOrt(feeds)))[out]!.data as Float32Array;
      // the output is a float (LayerNorm's): a step is its range over 255, as the GPU benchmark takes it
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of ortInt8) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const step = (hi - lo) / 255;
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
      assert.ok(worst <= 1e-3, `seed ${seed}: ${worst} from onnxruntime without graph optimizations (the ONNX semantics)`);
      const share = withinStep(got, ortInt8, step);
      assert.ok(share >= 0.99, `seed ${seed}: ${(share * 100).toFixed(2)}% within one step (${step}) of onnxruntime's fused int8 kernels`);
    }
  } finally {
    context.dispose();
    engine.dispose();
    await semantic.release();
    await fused.release();
  }
});

// Every transformer-era fixture quantized the same way with Conv and Gemm too (ViT's and Swin's
// patch embeddings, ConvNeXt's convolutions, Whisper's 1-D convolutions, GPT-2's Gemm): one engine
// with every node that runs, each product by constant weights an int8 layer, the output within 1%
// of its spread of onnxruntime's ONNX-semantics output (one rounding flip of a quantized value
// moves a few outputs by a fraction of a step; the fused session differs from it by as much).
const FIXTURES = join(import.meta.dirname, '../fixtures/transformers');
const OPS: readonly QuantizedOp[] = ['Conv', 'Gemm', 'MatMul'];
for (const name of ['vit_tiny', 'distilbert_tiny', 'gpt2_tiny', 'whisper_enc_tiny', 'convnext_tiny_cfg', 'swin_tiny_cfg']) {
  test(`${name} quantized (Conv, Gemm, MatMul) runs whole in one engine with int8 weight products and agrees with onnxruntime`, { skip }, async () => {
    const { graph } = loadOnnxFile(join(FIXTURES, name, 'model.onnx'));
    const dir = join(FIXTURES, name, 'test_data_set_0');
    const feeds: Record<string, Tensor> = {};
    for (const f of readdirSync(dir).filter((f) => f.startsWith('input_'))) {
      const { name: input, tensor } = readTensorPb(join(dir, f));
      feeds[input] = tensor;
    }
    const toOrtFeeds = (f: Record<string, Tensor>): Feeds =>
      Object.fromEntries(Object.entries(f).map(([k, t]) => [k, new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, [...t.shape])]));
    const weighted = graph.nodes.filter((n) => (OPS as readonly string[]).includes(n.opType) && graph.initializers.has(n.inputs[1]!)).length;
    insertQdq(graph, await calibrateMinMax(graph, quantizedActivations(graph, OPS), [toOrtFeeds(feeds)]), OPS);
    const model = exportOnnx(graph, { opset: Math.max(13, graph.opsets.get('') ?? 13) });
    const log: string[] = [];
    const session = await createSession(importOnnx(model).graph, { device: 'webgpu', engine: 'webgpu', timeTactics: false, log: (l) => log.push(l) });
    const semantic = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
    try {
      const got = await session.run(feeds);
      const want = await semantic.run(toOrtFeeds(feeds));
      for (const o of graph.outputs) {
        const g = got[o.name]!.data as Float32Array;
        const w = want[o.name]!.data as Float32Array;
        const spread = Math.max(...w) - Math.min(...w);
        let worst = 0;
        for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i]! - w[i]!));
        assert.ok(worst <= 0.01 * spread, `${o.name}: ${worst} from onnxruntime, spread ${spread}`);
      }
      const p = session.stats().engine!.partition;
      assert.equal(p.subgraphs.length, 1);
      assert.deepEqual(p.declined.filter((d) => d.reason !== FOLDED_REASON), [], 'every node that runs is in the engine');
      assert.equal(log.filter((l) => /→ int8 /.test(l)).length, weighted, log.filter((l) => /stays float/.test(l)).join('\n'));
    } finally {
      session.dispose();
      await semantic.release();
    }
  });
}
