// The direct subgroup-matrix attention kernel (attention-mma-direct.ts) against onnxruntime's
// Attention. lavapipe has no subgroup matrices: the programs run with their matrix operations
// emulated (test/helpers/subgroup-matrix-emulation.ts), so what is tested here is everything
// around them — operand addressing in device memory (Kᵀ column-major, V row-major, heads and
// grouped kv heads through strides), ragged 16-row and 16-key blocks moved back and masked, the
// keys split over subgroups and merged, masks, causal limits and stores. The GPU check
// (bench/gpu-mma-check.sh) runs them on real tensor cores.
// Tolerance: inputs are half-rounded, P is rounded to f16 before P·V and the output is stored in
// f16 (2^-11 relative each): atol 3e-3, rtol 3e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceCaps, type DeviceCaps } from '../../src/devices/webgpu/caps.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { createDawnGpu } from '../../src/node/webgpu.js';
import { importNetwork } from '../../src/engine/import.js';
import { compileAttention } from '../../src/engine/kernels/attention.js';
import { directMmaAttentionPrograms, directMmaUnfit } from '../../src/engine/kernels/attention-mma-direct.js';
import type { AttentionLayer, NetTensor } from '../../src/engine/network.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import '../../src/ops/index.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { patternModel } from '../helpers/engine-pattern.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { roundHalf } from '../helpers/kernel-context.js';
import { randomTensor, runOrt, type AttrSpec } from '../helpers/ort-reference.js';
import { emulatedTactic } from '../helpers/subgroup-matrix-emulation.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const dawn = webgpuSkip() ? undefined : await createDawnGpu({ gpuFeatures: ['f16'] });
process.on('exit', () => void dawn);
const gpu = dawn && (await sharedGpuDevice(dawn));
const skip = !gpu ? 'no WebGPU device' : !deviceCaps(gpu).shaderF16 ? 'the adapter does not offer shader-f16' : false;
const TOL: Tolerance = { atol: 3e-3, rtol: 3e-3 };
const F16_MMA = { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 } as const;

/** The lavapipe device's limits, described as a device with 32-lane subgroups and f16 matrices. */
const mmaCaps = (): DeviceCaps => ({ ...deviceCaps(gpu!), subgroupSize: 32, subgroupMatrix: [F16_MMA] });

function layerOf(shapes: Record<string, number[]>, attrs: Record<string, AttrSpec>, inputs: string[], seed: number, given: Record<string, Tensor> = {}) {
  const feeds = Object.fromEntries(Object.entries(shapes).map(([k, s], i) => [k, given[k] ?? new Tensor('float32', s, roundHalf(randomTensor(s, seed + i, -2, 2).data))]));
  const model = patternModel({ nodes: [{ op: 'Attention', inputs, outputs: ['y'], attrs }], inputs: feeds, outputs: ['y'], opset: 23 });
  const net = importNetwork(importOnnx(model).graph, shapes);
  const layer = { ...(net.layers[0] as AttentionLayer), precision: 'fp16' as const };
  assert.equal(layer.kind, 'attention');
  const tensors = new Map<string, NetTensor>([...net.tensors.values()].map((t) => [t.name, { ...t, format: { layout: 'plain' as const, storage: t.name === 'mask' ? 'f32' : 'f16' } }]));
  return { feeds, model, layer, tensors };
}

async function check(shapes: Record<string, number[]>, attrs: Record<string, AttrSpec>, inputs: string[], seed: number, given: Record<string, Tensor> = {}) {
  const { feeds, model, layer, tensors } = layerOf(shapes, attrs, inputs, seed, given);
  const want = (await runOrt(model, feeds)).y!;
  const ctx = { caps: mmaCaps(), tensors, placement: new Map() };
  assert.equal(directMmaUnfit(layer, ctx), undefined);
  const tactics = directMmaAttentionPrograms(layer, ctx, tensors.get('y')!);
  assert.ok(tactics.length >= 3, tactics.map((t) => t.name).join());
  assert.ok(tactics.some((t) => /-s1?[2-9]-/.test(t.name)), `key splits offered: ${tactics.map((t) => t.name)}`);
  for (const t of tactics) {
    const got = (await runTactic(gpu!, emulatedTactic(t, true), tensors, Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.data as Float32Array])), ['y'])).y!;
    const cmp = compareTensors(new Tensor('float32', [...want.shape], got), want, TOL);
    assert.ok(cmp.pass, `${JSON.stringify(attrs)} ${t.name}: ${JSON.stringify(cmp)}`);
  }
  return tactics.map((t) => t.name);
}

test('direct mma attention (emulated): 4-D causal with a [Sq, Sk] mask, 40 queries (a ragged row block) × 70 keys (ragged key blocks), head sizes 32 and 16', { skip }, async () => {
  await check({ q: [1, 2, 40, 32], k: [1, 2, 70, 32], v: [1, 2, 70, 16], mask: [40, 70] }, { is_causal: 1 }, ['q', 'k', 'v', 'mask'], 300);
});

test('direct mma attention (emulated): 3-D with 2 query heads over 1 kv head, read through head-splitting strides', { skip }, async () => {
  await check({ q: [2, 20, 64], k: [2, 33, 32], v: [2, 33, 32] }, { q_num_heads: 2, kv_num_heads: 1 }, ['q', 'k', 'v'], 310);
});

test('direct mma attention (emulated): scores that climb along the keys (a ramped mask), so that held accumulators are rescaled mid-run', { skip }, async () => {
  // the mask adds 0.2 per key: a row's max passes its reference by more than 8 every couple of blocks
  const ramp = new Float32Array(20 * 300).map((_, i) => roundHalf(new Float32Array([0.2 * (i % 300) + Math.sin(i)]))[0]!);
  const names = await check({ q: [1, 1, 20, 16], k: [1, 1, 300, 16], v: [1, 1, 300, 16], mask: [20, 300] }, {}, ['q', 'k', 'v', 'mask'], 340, { mask: new Tensor('float32', [20, 300], ramp) });
  assert.ok(names.some((n) => n.endsWith('-held')) && names.some((n) => !n.endsWith('-held')), `both accumulator forms: ${names}`);
});

test('direct mma attention is refused where its operands cannot be read in place, with the reason', { skip }, () => {
  const { layer, tensors } = layerOf({ q: [1, 2, 20, 32], k: [1, 2, 24, 32], v: [1, 2, 24, 32] }, {}, ['q', 'k', 'v'], 320);
  const ctx = { caps: mmaCaps(), tensors, placement: new Map() };
  assert.equal(directMmaUnfit(layer, ctx), undefined);
  assert.match(directMmaUnfit({ ...layer, precision: 'fp32' }, ctx) ?? '', /fp32/);
  assert.match(directMmaUnfit(layer, { ...ctx, caps: { ...ctx.caps, subgroupSize: 8 } }) ?? '', /32-lane/);
  const f32 = new Map([...tensors].map(([k, t]) => [k, { ...t, format: { ...t.format, storage: 'f32' as const } }]));
  assert.match(directMmaUnfit(layer, { ...ctx, tensors: f32 }) ?? '', /not stored in f16/);
  // Kᵀ read with its key axis contiguous (K stored transposed) has no contiguous rows
  const inner = (strides: readonly number[], last2: [number, number]) => [...strides.slice(0, -2), ...last2];
  assert.match(directMmaUnfit({ ...layer, kt: { ...layer.kt, strides: inner(layer.kt.strides, [24, 1]) } }, ctx) ?? '', /not contiguous/);
  assert.match(directMmaUnfit({ ...layer, q: { ...layer.q, strides: inner(layer.q.strides, [36, 1]) } }, ctx) ?? '', /16-byte/);
  const few = layerOf({ q: [1, 1, 8, 32], k: [1, 1, 24, 32], v: [1, 1, 24, 32] }, {}, ['q', 'k', 'v'], 330);
  assert.match(directMmaUnfit(few.layer, { ...ctx, tensors: few.tensors }) ?? '', /fewer than one 16-row block/);
});

test('the attention layer offers the direct mma kernel where it fits, and the staged one only where it does not', { skip }, () => {
  const { layer, tensors } = layerOf({ q: [1, 2, 20, 32], k: [1, 2, 24, 32], v: [1, 2, 24, 32] }, {}, ['q', 'k', 'v'], 350);
  const ctx = { caps: mmaCaps(), tensors, placement: new Map() };
  const names = (l: AttentionLayer) => {
    const t = compileAttention(l, ctx);
    if (typeof t === 'string') assert.fail(t);
    return t.map((x) => x.name);
  };
  const fit = names(layer);
  assert.ok(fit.some((n) => n.startsWith('attention-mmad-')) && !fit.some((n) => n.startsWith('attention-mma-')), fit.join());
  const unaligned = { ...layer, q: { ...layer.q, strides: [...layer.q.strides.slice(0, -2), 36, 1] } };
  const staged = names(unaligned);
  assert.ok(staged.some((n) => n.startsWith('attention-mma-')) && !staged.some((n) => n.startsWith('attention-mmad-')), staged.join());
});
