// com.microsoft Attention, MultiHeadAttention and GroupQueryAttention on WebGPU against onnxruntime,
// with no CPU fallback: BERT-style packed weights with every mask_index layout and
// qkv_hidden_sizes, GPT-2 with past/present; MultiHeadAttention with bias, key padding masks,
// attention bias, past/present, key/value in heads, float16 (onnxruntime's CPU kernel has no packed
// layouts: those run against onnxruntime on the same values unpacked); GroupQueryAttention prompt
// and decode with a padded batch, packed QKV, local window, softcap, attention bias, smooth softmax,
// head sink, rotary (interleaved or not, by position ids or seqlens_k).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importOnnx } from '../../src/onnx/import/model.js';
import { createSession } from '../../src/runtime/session.js';
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runOrt, type OneNodeSpec } from '../helpers/ort-reference.js';
import { expectWebgpuLikeOrt, GPU_TOL } from '../helpers/webgpu-one-node.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const MS = 'com.microsoft';
const i32 = (shape: number[], v: number[]) => Tensor.fromNumeric('int32', shape, v);
const ms = (spec: Omit<OneNodeSpec, 'domain'>, label: string, tol = GPU_TOL) => expectWebgpuLikeOrt({ domain: MS, ...spec }, tol, label);

test('com.microsoft Attention on WebGPU: BERT masks, qkv_hidden_sizes, GPT-2 past and present', { skip }, async () => {
  const [b, s, hidden, heads] = [2, 5, 16, 4];
  const base = {
    op: 'Attention', attrs: { num_heads: heads },
    initializers: { w: randomTensor([hidden, 3 * hidden], 200, -0.5, 0.5), bias: randomTensor([3 * hidden], 201) },
    inputOrder: ['x', 'w', 'bias', 'mask'], outputs: ['y'],
  };
  const x = randomTensor([b, s, hidden], 202);
  await ms({ ...base, inputs: { x }, inputOrder: ['x', 'w', 'bias'] }, 'no mask');
  await ms({ ...base, inputs: { x, mask: i32([b, s], [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]) } }, 'raw mask');
  await ms({ ...base, inputs: { x, mask: i32([b], [3, 5]) } }, 'lengths');
  await ms({ ...base, inputs: { x, mask: i32([2 * b], [5, 4, 2, 0]) } }, 'ends and starts');
  await ms({ ...base, inputs: { x, mask: Tensor.fromNumeric('int32', [b, s, s], Array.from({ length: b * s * s }, (_, k) => (k * 7) % 3 === 0 ? 0 : 1)) } }, '3-D mask');
  await ms({
    op: 'Attention', attrs: { num_heads: heads, qkv_hidden_sizes: [hidden, hidden, 8], scale: { float: 0.3 } },
    initializers: { w: randomTensor([hidden, 2 * hidden + 8], 203, -0.5, 0.5), bias: randomTensor([2 * hidden + 8], 208) }, inputs: { x }, inputOrder: ['x', 'w', 'bias'], outputs: ['y'],
  }, 'qkv_hidden_sizes, scale');
  // onnxruntime's CPU Attention crashes without a bias: the bias-less kernel is checked against a zero bias
  const w = randomTensor([hidden, 3 * hidden], 209, -0.5, 0.5);
  const want = (await runOrt(oneNodeModel({
    op: 'Attention', domain: MS, attrs: { num_heads: heads }, inputs: { x }, initializers: { w, bias: Tensor.fromArray([3 * hidden], new Array(3 * hidden).fill(0)) }, inputOrder: ['x', 'w', 'bias'], outputs: ['y'],
  }), { x })).y!;
  const session = await createSession(importOnnx(oneNodeModel({ op: 'Attention', domain: MS, attrs: { num_heads: heads }, inputs: { x }, initializers: { w }, inputOrder: ['x', 'w'], outputs: ['y'] })).graph, { device: 'webgpu' });
  const got = (await session.run({ x })).y!;
  assert.deepEqual(session.stats().webgpu!.fallbacks, [], 'bias-less Attention runs on the GPU');
  session.dispose();
  assert.ok(compareTensors(got, want, GPU_TOL).pass, 'no bias');
  const p = 4;
  await ms({
    op: 'Attention', attrs: { num_heads: 2, unidirectional: 1 },
    inputs: { x: randomTensor([b, 3, 8], 204), past: randomTensor([2, b, 2, p, 4], 205), mask: i32([b, p + 3], [1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1]) },
    initializers: { w: randomTensor([8, 24], 206, -0.5, 0.5), bias: randomTensor([24], 207) },
    inputOrder: ['x', 'w', 'bias', 'mask', 'past'], outputs: ['y', 'present'],
  }, 'GPT-2 past, present');
});

test('com.microsoft MultiHeadAttention on WebGPU: bias, masks, attention bias, past/present, heads-KV, float16', { skip }, async () => {
  const [b, s, l, heads, hd] = [2, 3, 5, 2, 4];
  await ms({
    op: 'MultiHeadAttention', attrs: { num_heads: heads },
    inputs: {
      q: randomTensor([b, s, heads * hd], 210), k: randomTensor([b, l, heads * hd], 211), v: randomTensor([b, l, heads * hd], 212),
      mask: i32([b, l], [1, 1, 1, 1, 0, 1, 1, 0, 0, 0]), ab: randomTensor([1, heads, s, l], 213),
    },
    initializers: { bias: randomTensor([3 * heads * hd], 214) },
    inputOrder: ['q', 'k', 'v', 'bias', 'mask', 'ab'], outputs: ['y'],
  }, 'bias, 2-D mask, attention bias');
  await ms({
    op: 'MultiHeadAttention', attrs: { num_heads: heads, mask_filter_value: { float: -1e4 } },
    inputs: { q: randomTensor([b, s, heads * hd], 215), k: randomTensor([b, l, heads * hd], 216), v: randomTensor([b, l, heads * 6], 217), mask: i32([b], [2, 5]), ab: randomTensor([b, heads, s, l], 218) },
    inputOrder: ['q', 'k', 'v', '', 'mask', 'ab'], outputs: ['y'],
  }, 'lengths, v head size 6, per-batch bias');
  await ms({
    op: 'MultiHeadAttention', attrs: { num_heads: heads, unidirectional: 1 },
    inputs: {
      q: randomTensor([1, 2, heads * hd], 219), k: randomTensor([1, 2, heads * hd], 220), v: randomTensor([1, 2, heads * hd], 221),
      pk: randomTensor([1, heads, 3, hd], 222), pv: randomTensor([1, heads, 3, hd], 223),
    },
    inputOrder: ['q', 'k', 'v', '', '', '', 'pk', 'pv'], outputs: ['y', 'present_k', 'present_v'],
  }, 'unidirectional, past, present');
  await ms({
    op: 'MultiHeadAttention', attrs: { num_heads: heads },
    inputs: { q: randomTensor([b, s, heads * hd], 224), k: randomTensor([b, heads, 4, hd], 225), v: randomTensor([b, heads, 4, hd], 226) },
    inputOrder: ['q', 'k', 'v'], outputs: ['y'],
  }, 'key/value in heads');
  const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());
  await ms({
    op: 'MultiHeadAttention', attrs: { num_heads: 2 },
    inputs: { q: half(randomTensor([2, 3, 8], 227)), k: half(randomTensor([2, 4, 8], 228)), v: half(randomTensor([2, 4, 8], 229)) },
    inputOrder: ['q', 'k', 'v'], outputs: ['y'],
  }, 'float16', { atol: 1e-2, rtol: 1e-2 });
});

test('com.microsoft MultiHeadAttention packed QKV and packed KV on WebGPU equal onnxruntime on the values unpacked', { skip }, async () => {
  const [b, s, heads, hd] = [2, 3, 2, 4];
  const slot = (t: Tensor, parts: number, which: number) => {
    const v = t.numeric();
    const out: number[] = [];
    for (let r = 0; r < b * s * heads; r++) for (let e = 0; e < hd; e++) out.push(v[(r * parts + which) * hd + e]!);
    return Tensor.fromArray([b, s, heads * hd], out);
  };
  const bias = randomTensor([3 * heads * hd], 230);
  const check = async (packedInputs: Record<string, Tensor>, order: string[], unpacked: Record<string, Tensor>, label: string) => {
    const attrs = { num_heads: heads };
    const want = (await runOrt(oneNodeModel({ op: 'MultiHeadAttention', domain: MS, attrs, inputs: unpacked, initializers: { bias }, inputOrder: ['q', 'k', 'v', 'bias'], outputs: ['y'] }), unpacked)).y!;
    const model = oneNodeModel({ op: 'MultiHeadAttention', domain: MS, attrs, inputs: packedInputs, initializers: { bias }, inputOrder: [...order, 'bias'], outputs: ['y'] });
    const session = await createSession(importOnnx(model).graph, { device: 'webgpu' });
    const got = (await session.run(packedInputs)).y!;
    assert.deepEqual(session.stats().webgpu!.fallbacks, [], `${label} runs on the GPU`);
    session.dispose();
    const c = compareTensors(got, want, GPU_TOL);
    assert.ok(c.pass, `${label}: ${JSON.stringify(c)}`);
  };
  const qkv = randomTensor([b, s, heads, 3, hd], 231);
  await check({ qkv }, ['qkv', '', ''], { q: slot(qkv, 3, 0), k: slot(qkv, 3, 1), v: slot(qkv, 3, 2) }, 'packed QKV');
  const kv = randomTensor([b, s, heads, 2, hd], 232);
  const q = randomTensor([b, s, heads * hd], 233);
  await check({ q, kv }, ['q', 'kv', ''], { q, k: slot(kv, 2, 0), v: slot(kv, 2, 1) }, 'packed KV');
});

test('com.microsoft GroupQueryAttention on WebGPU: prompt, decode with past and a padded batch, packed, window, softcap', { skip }, async () => {
  const [b, s, heads, kvHeads, hd] = [2, 4, 4, 2, 8];
  const gqa = (attrs: OneNodeSpec['attrs'], inputs: Record<string, Tensor>, order: string[], label: string, tol = GPU_TOL) =>
    ms({ op: 'GroupQueryAttention', attrs: { num_heads: heads, kv_num_heads: kvHeads, ...attrs }, inputs, inputOrder: order, outputs: ['y', 'present_k', 'present_v'] }, label, tol);
  const prompt = {
    q: randomTensor([b, s, heads * hd], 240), k: randomTensor([b, s, kvHeads * hd], 241), v: randomTensor([b, s, kvHeads * hd], 242),
    seqlens: i32([b], [s - 1, s - 1]), total: i32([], [s]),
  };
  const order = ['q', 'k', 'v', '', '', 'seqlens', 'total'];
  await gqa({}, prompt, order, 'prompt');
  await gqa({ local_window_size: 2 }, prompt, order, 'local window');
  await gqa({ softcap: { float: 2 } }, prompt, order, 'softcap');
  await gqa({ scale: { float: 0.2 } }, { ...prompt, ab: randomTensor([1, heads, s, s], 243) }, [...order, '', '', '', 'ab'], 'attention bias');
  await gqa({ smooth_softmax: 1 }, prompt, order, 'smooth softmax');
  await gqa({}, { ...prompt, sink: randomTensor([heads], 259) }, [...order, '', '', '', '', 'sink'], 'head sink');
  const p = 5;
  await gqa({}, {
    q: randomTensor([b, 1, heads * hd], 244), k: randomTensor([b, 1, kvHeads * hd], 245), v: randomTensor([b, 1, kvHeads * hd], 246),
    pk: randomTensor([b, kvHeads, p, hd], 247), pv: randomTensor([b, kvHeads, p, hd], 248),
    // batch 1 holds only 3 past tokens: its new token goes to position 3
    seqlens: i32([b], [p, 3]), total: i32([], [p + 1]),
  }, ['q', 'k', 'v', 'pk', 'pv', 'seqlens', 'total'], 'decode, padded batch');
  await gqa({}, { qkv: randomTensor([b, s, (heads + 2 * kvHeads) * hd], 249), seqlens: i32([b], [s - 1, s - 1]), total: i32([], [s]) },
    ['qkv', '', '', '', '', 'seqlens', 'total'], 'packed QKV');
  const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());
  await gqa({}, { q: half(prompt.q), k: half(prompt.k), v: half(prompt.v), seqlens: prompt.seqlens, total: prompt.total }, order, 'float16', { atol: 1e-2, rtol: 1e-2 });
});

test('com.microsoft GroupQueryAttention on WebGPU with do_rotary: packed or not, position ids or seqlens_k, decode', { skip }, async () => {
  const [heads, kvHeads, hd, maxSeq] = [2, 1, 16, 16]; // onnxruntime rotates heads of a multiple of 16
  const angle = (t: number, i: number) => t / 10000 ** ((2 * i) / hd);
  const cache = (f: (x: number) => number) => Tensor.fromArray([maxSeq, hd / 2], Array.from({ length: maxSeq * hd / 2 }, (_, k) => f(angle(Math.floor(k / (hd / 2)), k % (hd / 2)))));
  const [cos, sin] = [cache(Math.cos), cache(Math.sin)];
  const run = (attrs: OneNodeSpec['attrs'], inputs: Record<string, Tensor>, order: string[], label: string) =>
    ms({ op: 'GroupQueryAttention', attrs: { num_heads: heads, kv_num_heads: kvHeads, do_rotary: 1, ...attrs }, inputs, initializers: { cos, sin }, inputOrder: order, outputs: ['y', 'present_k', 'present_v'] }, label);
  const s = 5;
  const seqlens = i32([1], [s - 1]);
  const total = i32([], [s]);
  const q = randomTensor([1, s, heads * hd], 250);
  const k = randomTensor([1, s, kvHeads * hd], 251);
  const v = randomTensor([1, s, kvHeads * hd], 252);
  await run({}, { q, k, v, seqlens, total }, ['q', 'k', 'v', '', '', 'seqlens', 'total', 'cos', 'sin'], 'prompt, seqlens_k positions');
  await run({ rotary_interleaved: 1 }, { q, k, v, seqlens, total }, ['q', 'k', 'v', '', '', 'seqlens', 'total', 'cos', 'sin'], 'interleaved');
  await run({}, { qkv: randomTensor([1, s, (heads + 2 * kvHeads) * hd], 253), seqlens, total }, ['qkv', '', '', '', '', 'seqlens', 'total', 'cos', 'sin'], 'packed QKV');
  const pos = Tensor.fromNumeric('int64', [1, s], [2, 3, 4, 5, 6]);
  await run({}, { q, k, v, seqlens, total, pos }, ['q', 'k', 'v', '', '', 'seqlens', 'total', 'cos', 'sin', 'pos'], 'prompt, position ids');
  const p = 4;
  await run({}, {
    q: randomTensor([2, 1, heads * hd], 254), k: randomTensor([2, 1, kvHeads * hd], 255), v: randomTensor([2, 1, kvHeads * hd], 256),
    pk: randomTensor([2, kvHeads, p, hd], 257), pv: randomTensor([2, kvHeads, p, hd], 258), seqlens: i32([2], [p, 2]), total: i32([], [p + 1]),
  }, ['q', 'k', 'v', 'pk', 'pv', 'seqlens', 'total', 'cos', 'sin'], 'decode, padded batch');
});
