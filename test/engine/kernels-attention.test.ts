// Every tactic (block size; one invocation per row or a row split over several; the unfused
// products with the scores in scratch) of the attention kernel against onnxruntime's Attention, in f32 and
// packed-f16 storage of inputs and output: 4-D with a causal limit and a [Sq, Sk] mask, and 3-D
// with grouped kv heads (Q, K, V read through head-splitting strides). The layer comes from the
// engine's own importer; the reference is onnxruntime on the same (half-rounded) inputs.
// f16x2 output: the result is rounded to half (2^-11 relative): atol 1e-3, rtol 2e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import { importNetwork } from '../../src/engine/import.js';
import { compileAttention } from '../../src/engine/kernels/attention.js';
import type { AttentionLayer, Storage } from '../../src/engine/network.js';
import '../../src/node/webgpu.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel } from '../helpers/engine-pattern.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';
import { randomTensor, runOrt, type AttrSpec } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 1e-3, rtol: 2e-3 };

async function check(shapes: Record<string, number[]>, attrs: Record<string, AttrSpec>, inputs: string[], splitPv = false) {
  const feeds = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, new Tensor('float32', s, roundHalf(randomTensor(s, 40 + i, -2, 2).data))]));
  const model = patternModel({ nodes: [{ op: 'Attention', inputs, outputs: ['y'], attrs }], inputs: feeds, outputs: ['y'], opset: 23 });
  const want = (await runOrt(model, feeds)).y!;
  const net = importNetwork(importOnnx(model).graph, shapes);
  const layer = net.layers[0] as AttentionLayer;
  assert.equal(layer.kind, 'attention');
  for (const [is, os] of [['f32', 'f32'], ['f16x2', 'f16x2'], ['f16x2', 'f32']] as [Storage, Storage][]) {
    const tensors = [...net.tensors.values()].map((t) => ({ ...t, format: { layout: 'plain' as const, storage: t.name === 'y' ? os : is } }));
    const ctx = kernelContext(gpu!, tensors);
    const tactics = compileAttention(layer, ctx);
    if (typeof tactics === 'string') assert.fail(tactics);
    assert.ok(tactics.length >= 2, `several block sizes: ${tactics.map((t) => t.name)}`);
    assert.ok(tactics.some((t) => t.name.startsWith("attention-split")), `split-key tactics offered: ${tactics.map((t) => t.name)}`);
    assert.ok(tactics.some((t) => t.name.startsWith('attention-gemm') && t.scratch.length === 1), `unfused (scores in scratch) tactics offered: ${tactics.map((t) => t.name)}`);
    // long key rows over few query rows: P·V is also offered split over the keys (partials in a second scratch region)
    if (splitPv) assert.ok(tactics.some((t) => /^attention-gemm-.*-sk\d+$/.test(t.name) && t.scratch.length === 2), `split P·V offered: ${tactics.map((t) => t.name)}`);
    for (const t of tactics) {
      const got = (await runTactic(gpu!, t, ctx.tensors, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.data as Float32Array])), ['y'])).y!;
      const cmp = compareTensors(new Tensor('float32', [...want.shape], got), want, os === 'f16x2' ? F16 : FP32_TOLERANCE);
      assert.ok(cmp.pass, `${JSON.stringify(attrs)} ${is} → ${os} ${t.name}: ${JSON.stringify(cmp)}`);
    }
  }
}

test('attention tactics: 4-D causal with a [Sq, Sk] mask, Sq 40 × Sk 70', { skip }, async () => {
  await check({ q: [1, 2, 40, 8], k: [1, 2, 70, 8], v: [1, 2, 70, 6], mask: [40, 70] }, { is_causal: 1 }, ['q', 'k', 'v', 'mask']);
});

test('attention tactics: 3-D with 4 query heads over 2 kv heads', { skip }, async () => {
  await check({ q: [2, 9, 32], k: [2, 21, 16], v: [2, 21, 16] }, { q_num_heads: 4, kv_num_heads: 2 }, ['q', 'k', 'v']);
});

test('attention tactics: head size 64, 3 query blocks and 5 key blocks with a ragged end, batch 2 × 3 heads', { skip }, async () => {
  await check({ q: [2, 3, 37, 64], k: [2, 3, 141, 64], v: [2, 3, 141, 64], mask: [2, 1, 37, 141] }, {}, ['q', 'k', 'v', 'mask']);
});

test('attention tactics: 280 keys over 8 queries (P·V split over the keys), with a mask', { skip }, async () => {
  await check({ q: [1, 1, 8, 8], k: [1, 1, 280, 8], v: [1, 1, 280, 8], mask: [8, 280] }, {}, ['q', 'k', 'v', 'mask'], true);
});

test('attention: scores that one storage binding cannot hold leave only the flash tactics', { skip }, async () => {
  const shapes = { q: [1, 2, 40, 8], k: [1, 2, 70, 8], v: [1, 2, 70, 8] };
  const feeds = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, randomTensor(s, 60 + i)]));
  const model = patternModel({ nodes: [{ op: 'Attention', inputs: ['q', 'k', 'v'], outputs: ['y'] }], inputs: feeds, outputs: ['y'], opset: 23 });
  const net = importNetwork(importOnnx(model).graph, shapes);
  const ctx = kernelContext(gpu!, [...net.tensors.values()]);
  const names = (c: typeof ctx) => {
    const t = compileAttention(net.layers[0] as AttentionLayer, c);
    if (typeof t === 'string') assert.fail(t);
    return t.map((x) => x.name);
  };
  assert.ok(names(ctx).some((n) => n.startsWith('attention-gemm')));
  // 2 heads × 40 × 70 f32 scores are 22,400 bytes
  const small = names({ ...ctx, caps: { ...ctx.caps, maxStorageBinding: 16_384 } });
  assert.ok(small.length > 0 && !small.some((n) => n.startsWith('attention-gemm')), small.join());
});
