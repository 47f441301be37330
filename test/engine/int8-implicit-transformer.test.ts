// Implicit int8 on a transformer: BERT-tiny calibrated by nnrt (min-max, seeded token ids) and
// built with precision int8. Its ONNX file types none of its Shape/Cast/Gather outputs, which the
// calibration skips as not float; the cache must still fit the model. Every Linear becomes an int8
// layer that adds its bias to the int32 sums (MatMul + Add in one layer, as TensorRT does), Q, K
// and V merge into one int8 GEMM writing three tensors, the
// first feed-forward Linear also applies the GELU and requantizes for the second, the attention
// stays one fused layer, and the output stays close to onnxruntime's fp32 output on
// token ids it was not calibrated on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedGpuDevice, type GpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { buildEnginePlan } from '../../src/engine/builder.js';
import { Engine } from '../../src/engine/runtime.js';
import type { EnginePlan } from '../../src/engine/plan-format.js';
import { formatCalibrationCache } from '../../src/engine/calibrate/cache-file.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { calibrateGraph, calibrationFor } from '../../src/runtime/calibrate.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { runOrt } from '../helpers/ort-reference.js';

const skip = webgpuSkip() ?? false;
const MODEL = readFileSync(join(import.meta.dirname, '../fixtures/transformers/bert_tiny/model.onnx'));
const SHAPE = [1, 16];

/** The engine's output on token ids it was not calibrated on, as cosine similarity with onnxruntime fp32's. */
async function cosineWithOrt(gpu: GpuDevice, plan: EnginePlan, vocab: number): Promise<number> {
  const engine = await Engine.load(gpu, plan);
  const context = await engine.createExecutionContext();
  try {
    const f = feeds(vocab, 7);
    const got = (await context.run(f)).last_hidden_state!;
    const want = (await runOrt(new Uint8Array(MODEL), f)).last_hidden_state!;
    return compareTensors(got, want, { atol: 0, rtol: 0 }).cosine!;
  } finally {
    context.dispose();
    engine.dispose();
  }
}

function feeds(vocab: number, seed: number): Record<string, Tensor> {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return {
    input_ids: new Tensor('int64', SHAPE, BigInt64Array.from({ length: 16 }, () => BigInt(Math.floor(next() * vocab)))),
    attention_mask: new Tensor('int64', SHAPE, BigInt64Array.from({ length: 16 }, () => 1n)),
    token_type_ids: new Tensor('int64', SHAPE, new BigInt64Array(16)),
  };
}

test('implicit int8 BERT: the cache fits, Linears are int8 with their bias, attention stays fused, output near fp32', { skip }, async () => {
  const graph = importOnnx(MODEL).graph;
  const emb = graph.nodes.find((n) => n.opType === 'Gather' && graph.initializers.has(n.inputs[0]!))!;
  const vocab = graph.initializers.get(emb.inputs[0]!)!.shape[0]!;
  const made = await calibrateGraph(graph, { count: 6, get: (i) => feeds(vocab, 100 + i) }, { algo: 'minmax', device: 'cpu' });
  assert.ok(!made.scales.has('/m/Shape_output_0'), 'an int64 shape has no scale');
  // read back as a file would be: the fit check types the model's tensors at the given shapes
  const shapes = { input_ids: SHAPE, attention_mask: SHAPE, token_type_ids: SHAPE };
  const cache = calibrationFor(graph, formatCalibrationCache(made), 'bert.cache', shapes);
  assert.equal(cache.scales.size, made.scales.size);

  const gpu = await sharedGpuDevice(await defaultGpu());
  const plan = await buildEnginePlan(gpu, graph, shapes, { precision: 'int8', calibration: cache, timeTactics: false });
  const int8 = plan.layers.filter((l) => l.kind === 'qlinear');
  // Q, K and V of one quantized input merge into one int8 GEMM with three outputs (merge-gemms)
  assert.equal(int8.length, 8, 'Q·K·V, attention output and two feed-forward Linears in each of two layers');
  const qkv = int8.filter((l) => ['query', 'key', 'value'].every((p) => l.from.includes(`/m/encoder/${l.name.split('/')[3]}/attention/self/${p}/MatMul`)));
  assert.equal(qkv.length, 2, int8.map((l) => l.from.join('+')).join('; '));
  assert.ok(int8.every((l) => l.from.some((n) => n.endsWith('/Add'))), `each takes its bias add: ${int8.map((l) => l.from.join('+')).join('; ')}`);
  assert.equal(plan.layers.filter((l) => l.kind === 'attention').length, 2);
  assert.equal(plan.layers.filter((l) => l.kind === 'pointwise' && /\/Add$/.test(l.name)).length, 1, 'no float bias layer left (only the embeddings sum)');
  // the feed-forward's first Linear takes the GELU (Erf arithmetic in the file) and the quantize for the second
  const ff = int8.filter((l) => l.name.endsWith('intermediate/dense/MatMul'));
  assert.equal(ff.length, 2);
  assert.ok(ff.every((l) => l.from.some((n) => n.endsWith('intermediate_act_fn/Erf'))), ff.map((l) => l.from.join('+')).join('; '));
  assert.ok(!plan.layers.some((l) => l.kind === 'pointwise' && l.from.some((n) => n.includes('intermediate_act_fn'))), 'no GELU layer left');

  const cosine = await cosineWithOrt(gpu, plan, vocab);
  assert.ok(cosine >= 0.999, `cosine similarity ${cosine} with onnxruntime fp32`);
});

test('implicit int8 BERT with its float layers in fp16 (--int8-float fp16): int8 products write f16, the LayerNorms write the quantized inputs, output near fp32', { skip }, async () => {
  const graph = importOnnx(MODEL).graph;
  const emb = graph.nodes.find((n) => n.opType === 'Gather' && graph.initializers.has(n.inputs[0]!))!;
  const vocab = graph.initializers.get(emb.inputs[0]!)!.shape[0]!;
  const made = await calibrateGraph(graph, { count: 6, get: (i) => feeds(vocab, 100 + i) }, { algo: 'minmax', device: 'cpu' });
  const shapes = { input_ids: SHAPE, attention_mask: SHAPE, token_type_ids: SHAPE };
  const gpu = await sharedGpuDevice(await defaultGpu());
  if (!gpu.features.has('shader-f16')) assert.fail('the test device has no shader-f16');
  const log: string[] = [];
  const plan = await buildEnginePlan(gpu, graph, shapes, { precision: 'int8', calibration: made, floatPrecision: 'fp16', timeTactics: false, log: (l) => log.push(l) });
  // each encoder layer's two LayerNorm outputs feed int8 products (and, quantized, the next shortcut)
  assert.equal(log.filter((l) => l.startsWith('[fuse-norm-quantize]')).length, 4, log.filter((l) => l.includes('norm')).join('\n'));
  assert.match(log.find((l) => l.startsWith('[int8-storage]')) ?? '', / 4 norm layers\)$/);
  assert.ok(!plan.layers.some((l) => l.kind === 'pointwise' && l.name.endsWith('/quantize') && /LayerNorm|query/.test(l.name)), 'no quantize layer after a LayerNorm');
  const cosine = await cosineWithOrt(gpu, plan, vocab);
  assert.ok(cosine >= 0.998, `cosine similarity ${cosine} with onnxruntime fp32`);
});
