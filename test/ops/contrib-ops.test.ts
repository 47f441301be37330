// com.microsoft ops (onnxruntime's contrib ops, written by its transformer optimizer and by
// Hugging Face Optimum): nnrt's CPU kernels against onnxruntime-node on seeded random inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionError, ShapeError, UnsupportedError } from '../../src/errors.js';
import { compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import type { DType } from '../../src/tensor/dtype.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { oneNodeModel, randomTensor, runNnrt, runOrt, type AttrSpec, type OneNodeSpec } from '../helpers/ort-reference.js';

const MS = 'com.microsoft';
const TOL: Tolerance = { atol: 1e-4, rtol: 1e-3 };

/** Seeded integers in [lo, hi] as a tensor of an integer dtype. */
function ints(dtype: DType, shape: number[], seed: number, lo: number, hi: number): Tensor {
  const r = randomTensor(shape, seed, lo, hi + 1).numeric();
  return Tensor.fromNumeric(dtype, shape, Array.from(r, Math.floor));
}

/** Runs one com.microsoft node in both runtimes and compares every named output. */
async function sameAsOrt(spec: Omit<OneNodeSpec, 'domain'> & { domain?: string }, tol = TOL): Promise<Record<string, Tensor>> {
  const full = { domain: MS, ...spec };
  const model = oneNodeModel(full);
  const feeds = spec.inputs;
  const want = await runOrt(model, feeds);
  const got = await runNnrt(model, feeds);
  for (const name of spec.outputs.filter(Boolean)) {
    assert.ok(want[name], `onnxruntime produced ${name}`);
    assert.deepEqual([...got[name]!.shape], [...want[name]!.shape], `${name} shape`);
    const c = compareTensors(got[name]!, want[name]!, tol);
    assert.ok(c.pass, `${spec.op} ${name}: ${JSON.stringify(c)}`);
  }
  return want;
}

test('Gelu, BiasGelu, FastGelu, QuickGelu match onnxruntime', async () => {
  const x = randomTensor([2, 3, 8], 1, -4, 4);
  const bias = randomTensor([8], 2, -1, 1);
  await sameAsOrt({ op: 'Gelu', inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  await sameAsOrt({ op: 'BiasGelu', inputs: { x, bias }, inputOrder: ['x', 'bias'], outputs: ['y'] });
  await sameAsOrt({ op: 'FastGelu', inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  await sameAsOrt({ op: 'FastGelu', inputs: { x, bias }, inputOrder: ['x', 'bias'], outputs: ['y'] });
  await sameAsOrt({ op: 'QuickGelu', inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
  await sameAsOrt({ op: 'QuickGelu', attrs: { alpha: { float: 1.5 } }, inputs: { x }, inputOrder: ['x'], outputs: ['y'] });
});

test('SkipLayerNormalization with beta, bias and all four outputs matches onnxruntime', async () => {
  const x = randomTensor([2, 5, 16], 3, -2, 2);
  await sameAsOrt({
    op: 'SkipLayerNormalization', attrs: { epsilon: { float: 1e-5 } },
    inputs: { x, skip: randomTensor([2, 5, 16], 4), gamma: randomTensor([16], 5, 0.5, 1.5), beta: randomTensor([16], 6), bias: randomTensor([16], 7) },
    inputOrder: ['x', 'skip', 'gamma', 'beta', 'bias'], outputs: ['y', 'mean', 'inv_std', 'sum'],
  });
});

test('SkipLayerNormalization broadcasts a [seq, hidden] skip; SkipSimplifiedLayerNormalization matches onnxruntime', async () => {
  const x = randomTensor([3, 4, 8], 8, -2, 2);
  await sameAsOrt({
    op: 'SkipLayerNormalization',
    inputs: { x, skip: randomTensor([4, 8], 9), gamma: randomTensor([8], 10, 0.5, 1.5) },
    inputOrder: ['x', 'skip', 'gamma'], outputs: ['y'],
  });
  await sameAsOrt({
    op: 'SkipSimplifiedLayerNormalization', attrs: { epsilon: { float: 1e-6 } },
    inputs: { x, skip: randomTensor([3, 4, 8], 11), gamma: randomTensor([8], 12, 0.5, 1.5), bias: randomTensor([8], 13) },
    inputOrder: ['x', 'skip', 'gamma', 'bias'], outputs: ['y', 'mean', 'inv_std', 'sum'],
  });
});

test('SimplifiedLayerNormalization (ai.onnx domain, as onnxruntime registers it) matches onnxruntime', async () => {
  await sameAsOrt({
    op: 'SimplifiedLayerNormalization', domain: '', opset: 17, attrs: { epsilon: { float: 1e-6 } },
    inputs: { x: randomTensor([2, 3, 16], 14, -3, 3), scale: randomTensor([16], 15, 0.5, 1.5) },
    inputOrder: ['x', 'scale'], outputs: ['y', 'inv_std'],
  });
});

test('EmbedLayerNormalization with segments, a mask and embedding_sum matches onnxruntime', async () => {
  const [b, s, h] = [2, 6, 16];
  await sameAsOrt({
    op: 'EmbedLayerNormalization', attrs: { epsilon: { float: 1e-12 } },
    inputs: {
      ids: ints('int32', [b, s], 16, 0, 29), seg: ints('int32', [b, s], 17, 0, 1),
      mask: Tensor.fromNumeric('int32', [b, s], [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]),
    },
    initializers: {
      word: randomTensor([30, h], 18), pos: randomTensor([10, h], 19), segEmb: randomTensor([2, h], 20),
      gamma: randomTensor([h], 21, 0.5, 1.5), beta: randomTensor([h], 22),
    },
    inputOrder: ['ids', 'seg', 'word', 'pos', 'segEmb', 'gamma', 'beta', 'mask'], outputs: ['y', 'mask_index', 'sum'],
  });
});

test('Attention (BERT: packed QKV weights, raw and length masks) matches onnxruntime', async () => {
  const [b, s, hidden, heads] = [2, 5, 16, 4];
  const base = {
    op: 'Attention', attrs: { num_heads: heads },
    initializers: { w: randomTensor([hidden, 3 * hidden], 23, -0.5, 0.5), bias: randomTensor([3 * hidden], 24) },
    inputOrder: ['x', 'w', 'bias', 'mask'], outputs: ['y'],
  };
  const x = randomTensor([b, s, hidden], 25, -1, 1);
  await sameAsOrt({ ...base, inputs: { x, mask: Tensor.fromNumeric('int32', [b, s], [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]) } });
  await sameAsOrt({ ...base, inputs: { x, mask: Tensor.fromNumeric('int32', [b], [3, 5]) } });
  await sameAsOrt({ ...base, inputs: { x, mask: Tensor.fromNumeric('int32', [2 * b], [5, 4, 2, 0]) } }); // ends, then starts
  await sameAsOrt({ ...base, inputs: { x, mask: ints('int32', [b, s, s], 86, 0, 1) } });
  await sameAsOrt({ ...base, attrs: { num_heads: heads, scale: { float: 0.3 } }, inputs: { x }, inputOrder: ['x', 'w', 'bias'] });
  await sameAsOrt({
    op: 'Attention', attrs: { num_heads: heads, qkv_hidden_sizes: [hidden, hidden, 8] },
    initializers: { w: randomTensor([hidden, 2 * hidden + 8], 87, -0.5, 0.5), bias: randomTensor([2 * hidden + 8], 88) },
    inputs: { x }, inputOrder: ['x', 'w', 'bias'], outputs: ['y'],
  });
});

test('Attention (GPT-2: unidirectional with past and present) matches onnxruntime', async () => {
  const [b, s, p, hidden, heads] = [2, 3, 4, 8, 2];
  await sameAsOrt({
    op: 'Attention', attrs: { num_heads: heads, unidirectional: 1 },
    inputs: {
      x: randomTensor([b, s, hidden], 26), past: randomTensor([2, b, heads, p, hidden / heads], 27),
      mask: Tensor.fromNumeric('int32', [b, p + s], [1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1]),
    },
    initializers: { w: randomTensor([hidden, 3 * hidden], 28, -0.5, 0.5), bias: randomTensor([3 * hidden], 29) },
    inputOrder: ['x', 'w', 'bias', 'mask', 'past'], outputs: ['y', 'present'],
  });
});

test('MultiHeadAttention (separate Q/K/V with bias, key padding mask, attention bias) matches onnxruntime', async () => {
  const [b, s, l, heads, hd] = [2, 3, 5, 2, 4];
  await sameAsOrt({
    op: 'MultiHeadAttention', attrs: { num_heads: heads },
    inputs: {
      q: randomTensor([b, s, heads * hd], 30), k: randomTensor([b, l, heads * hd], 31), v: randomTensor([b, l, heads * hd], 32),
      mask: Tensor.fromNumeric('int32', [b, l], [1, 1, 1, 1, 0, 1, 1, 0, 0, 0]),
      ab: randomTensor([1, heads, s, l], 33),
    },
    initializers: { bias: randomTensor([3 * heads * hd], 34) },
    inputOrder: ['q', 'k', 'v', 'bias', 'mask', 'ab'], outputs: ['y'],
  });
  await sameAsOrt({
    op: 'MultiHeadAttention', attrs: { num_heads: heads, mask_filter_value: { float: -1e4 } },
    inputs: { q: randomTensor([b, s, heads * hd], 89), k: randomTensor([b, l, heads * hd], 90), v: randomTensor([b, l, heads * hd], 91), mask: Tensor.fromNumeric('int32', [b], [2, 5]) },
    inputOrder: ['q', 'k', 'v', '', 'mask'], outputs: ['y'],
  });
});

test('MultiHeadAttention (decoder self-attention: unidirectional, past and present) matches onnxruntime', async () => {
  const [b, s, p, heads, hd] = [1, 2, 3, 2, 4];
  await sameAsOrt({
    op: 'MultiHeadAttention', attrs: { num_heads: heads, unidirectional: 1 },
    inputs: {
      q: randomTensor([b, s, heads * hd], 35), k: randomTensor([b, s, heads * hd], 36), v: randomTensor([b, s, heads * hd], 37),
      pk: randomTensor([b, heads, p, hd], 38), pv: randomTensor([b, heads, p, hd], 39),
    },
    inputOrder: ['q', 'k', 'v', '', '', '', 'pk', 'pv'], outputs: ['y', 'present_k', 'present_v'],
  });
});

test('MultiHeadAttention (cross attention with key/value already in heads) matches onnxruntime', async () => {
  const [b, s, l, heads, hd] = [2, 3, 4, 2, 4];
  await sameAsOrt({
    op: 'MultiHeadAttention', attrs: { num_heads: heads },
    inputs: { q: randomTensor([b, s, heads * hd], 40), k: randomTensor([b, heads, l, hd], 41), v: randomTensor([b, heads, l, hd], 42) },
    inputOrder: ['q', 'k', 'v'], outputs: ['y'],
  });
});

test('GroupQueryAttention (prompt, then a decode step with past and a padded batch) matches onnxruntime', async () => {
  const [b, s, heads, kvHeads, hd] = [2, 4, 4, 2, 8];
  const i32 = (shape: number[], v: number[]) => Tensor.fromNumeric('int32', shape, v);
  await sameAsOrt({
    op: 'GroupQueryAttention', attrs: { num_heads: heads, kv_num_heads: kvHeads },
    inputs: {
      q: randomTensor([b, s, heads * hd], 43), k: randomTensor([b, s, kvHeads * hd], 44), v: randomTensor([b, s, kvHeads * hd], 45),
      seqlens: i32([b], [s - 1, s - 1]), total: i32([], [s]),
    },
    inputOrder: ['q', 'k', 'v', '', '', 'seqlens', 'total'], outputs: ['y', 'present_k', 'present_v'],
  });
  const p = 5;
  await sameAsOrt({
    op: 'GroupQueryAttention', attrs: { num_heads: heads, kv_num_heads: kvHeads },
    inputs: {
      q: randomTensor([b, 1, heads * hd], 46), k: randomTensor([b, 1, kvHeads * hd], 47), v: randomTensor([b, 1, kvHeads * hd], 48),
      pk: randomTensor([b, kvHeads, p, hd], 49), pv: randomTensor([b, kvHeads, p, hd], 50),
      // batch 1 holds only 3 past tokens: its new token goes to position 3
      seqlens: i32([b], [p, 3]), total: i32([], [p + 1]),
    },
    inputOrder: ['q', 'k', 'v', 'pk', 'pv', 'seqlens', 'total'], outputs: ['y', 'present_k', 'present_v'],
  });
});

test('GroupQueryAttention (packed QKV, rotary, local window, softcap, smooth softmax) matches onnxruntime', async () => {
  const [b, s, heads, kvHeads, hd] = [1, 6, 2, 1, 16]; // onnxruntime rotates heads of a multiple of 16
  const maxSeq = 16;
  const angle = (t: number, i: number) => t / 10000 ** ((2 * i) / hd);
  const cos = Tensor.fromArray([maxSeq, hd / 2], Array.from({ length: maxSeq * hd / 2 }, (_, k) => Math.cos(angle(Math.floor(k / (hd / 2)), k % (hd / 2)))));
  const sin = Tensor.fromArray([maxSeq, hd / 2], Array.from({ length: maxSeq * hd / 2 }, (_, k) => Math.sin(angle(Math.floor(k / (hd / 2)), k % (hd / 2)))));
  const variants: Record<string, AttrSpec>[] = [
    { do_rotary: 1 }, { do_rotary: 1, rotary_interleaved: 1 }, { local_window_size: 2 }, { softcap: { float: 2 } }, { smooth_softmax: 1 },
  ];
  for (const attrs of variants) {
    await sameAsOrt({
      op: 'GroupQueryAttention', attrs: { num_heads: heads, kv_num_heads: kvHeads, ...attrs },
      inputs: { qkv: randomTensor([b, s, (heads + 2 * kvHeads) * hd], 51, -2, 2), seqlens: Tensor.fromNumeric('int32', [b], [s - 1]), total: Tensor.fromNumeric('int32', [], [s]) },
      initializers: { cos, sin },
      inputOrder: ['qkv', '', '', '', '', 'seqlens', 'total', 'cos', 'sin'], outputs: ['y', 'present_k', 'present_v'],
    });
  }
});

test('GroupQueryAttention prompt (attention_bias, head_sink, rotary from the first position id) matches onnxruntime', async () => {
  const [b, s, heads, kvHeads, hd, maxSeq] = [2, 3, 4, 2, 16, 12];
  const inputs = {
    q: randomTensor([b, s, heads * hd], 92), k: randomTensor([b, s, kvHeads * hd], 93), v: randomTensor([b, s, kvHeads * hd], 94),
    seqlens: Tensor.fromNumeric('int32', [b], [s - 1, s - 1]), total: Tensor.fromNumeric('int32', [], [s]),
    pos: Tensor.fromNumeric('int64', [b, s], [3, 4, 5, 5, 6, 7]), ab: randomTensor([b, 1, s, s], 95), sink: randomTensor([heads], 96),
  };
  await sameAsOrt({
    op: 'GroupQueryAttention', attrs: { num_heads: heads, kv_num_heads: kvHeads, do_rotary: 1 },
    inputs, initializers: { cos: randomTensor([maxSeq, hd / 2], 97), sin: randomTensor([maxSeq, hd / 2], 98) },
    inputOrder: ['q', 'k', 'v', '', '', 'seqlens', 'total', 'cos', 'sin', 'pos', 'ab', 'sink'], outputs: ['y', 'present_k', 'present_v'],
  });
});

test('GroupQueryAttention decode step with rotary at per-batch position ids matches onnxruntime', async () => {
  const [b, heads, kvHeads, hd, maxSeq, p] = [2, 4, 2, 16, 12, 5];
  await sameAsOrt({
    op: 'GroupQueryAttention', attrs: { num_heads: heads, kv_num_heads: kvHeads, do_rotary: 1 },
    inputs: {
      q: randomTensor([b, 1, heads * hd], 99), k: randomTensor([b, 1, kvHeads * hd], 100), v: randomTensor([b, 1, kvHeads * hd], 101),
      pk: randomTensor([b, kvHeads, p, hd], 102), pv: randomTensor([b, kvHeads, p, hd], 103),
      seqlens: Tensor.fromNumeric('int32', [b], [p, p]), total: Tensor.fromNumeric('int32', [], [p + 1]), pos: Tensor.fromNumeric('int64', [b, 1], [9, 2]),
    },
    initializers: { cos: randomTensor([maxSeq, hd / 2], 104), sin: randomTensor([maxSeq, hd / 2], 105) },
    inputOrder: ['q', 'k', 'v', 'pk', 'pv', 'seqlens', 'total', 'cos', 'sin', 'pos'], outputs: ['y', 'present_k', 'present_v'],
  });
});

test('RotaryEmbedding (3-D and 4-D, position ids or offset, interleaved, partial) matches onnxruntime', async () => {
  const [b, s, heads, hd, maxSeq] = [2, 3, 2, 8, 10];
  const cos = randomTensor([maxSeq, hd / 2], 52);
  const sin = randomTensor([maxSeq, hd / 2], 53);
  const pos = Tensor.fromNumeric('int64', [b, s], [0, 1, 2, 4, 5, 6]);
  const spec = (x: Tensor, p: Tensor, attrs: OneNodeSpec['attrs'] = {}) => ({
    op: 'RotaryEmbedding', attrs, inputs: { x, p }, initializers: { cos, sin }, inputOrder: ['x', 'p', 'cos', 'sin'], outputs: ['y'],
  });
  await sameAsOrt(spec(randomTensor([b, s, heads * hd], 54), pos));
  await sameAsOrt(spec(randomTensor([b, s, heads * hd], 55), Tensor.fromNumeric('int64', [1], [3]), { interleaved: 1 }));
  await sameAsOrt(spec(randomTensor([b, heads, s, hd], 56), pos));
  const partial = { ...spec(randomTensor([b, s, heads * 2 * hd], 57), pos, { num_heads: heads, rotary_embedding_dim: hd }) };
  await sameAsOrt(partial);
});

test('MatMulNBits (4-bit with packed, float and default zero points; bias; K past the last block; 8- and 2-bit) matches onnxruntime', async () => {
  const run = async (bits: number, k: number, n: number, block: number, zp: 'none' | 'packed' | 'float', bias: boolean) => {
    const blocks = Math.ceil(k / block);
    const blob = (block * bits) / 8;
    const inits: Record<string, Tensor> = {
      B: ints('uint8', [n, blocks, blob], 58 + bits, 0, 255),
      scales: randomTensor([n * blocks], 59, 0.01, 0.1),
    };
    if (zp === 'packed') inits.zp = ints('uint8', [n * Math.ceil((blocks * bits) / 8)], 60, 0, 255);
    if (zp === 'float') inits.zp = randomTensor([n * blocks], 61, 0, 2 ** bits - 1);
    if (bias) inits.bias = randomTensor([n], 62);
    await sameAsOrt({
      op: 'MatMulNBits', attrs: { K: k, N: n, bits, block_size: block },
      inputs: { a: randomTensor([2, 3, k], 63) }, initializers: inits,
      inputOrder: ['a', 'B', 'scales', zp === 'none' ? '' : 'zp', '', bias ? 'bias' : ''].filter((x, i, all) => all.slice(i).some(Boolean)),
      outputs: ['y'],
    });
  };
  await run(4, 64, 5, 32, 'none', false);
  await run(4, 48, 6, 16, 'packed', true);
  await run(4, 32, 3, 16, 'float', false);
  await run(8, 40, 4, 16, 'packed', false);
  await run(2, 64, 3, 32, 'packed', true);
});

test('MultiHeadAttention packed QKV and packed KV equal onnxruntime on the same values unpacked', async () => {
  // onnxruntime's CPU kernel implements neither packed layout, so it runs the separate layout
  const [b, s, heads, hd] = [2, 3, 2, 4];
  const qkv = randomTensor([b, s, heads, 3, hd], 64);
  const slot = (t: Tensor, parts: number, which: number) => {
    const v = t.numeric();
    const out: number[] = [];
    for (let r = 0; r < b * s * heads; r++) for (let e = 0; e < hd; e++) out.push(v[(r * parts + which) * hd + e]!);
    return Tensor.fromArray([b, s, heads * hd], out);
  };
  const attrs = { num_heads: heads };
  const separate = oneNodeModel({
    op: 'MultiHeadAttention', domain: MS, attrs, inputs: { q: slot(qkv, 3, 0), k: slot(qkv, 3, 1), v: slot(qkv, 3, 2) }, inputOrder: ['q', 'k', 'v'], outputs: ['y'],
  });
  const want = (await runOrt(separate, { q: slot(qkv, 3, 0), k: slot(qkv, 3, 1), v: slot(qkv, 3, 2) })).y!;
  const packed = oneNodeModel({ op: 'MultiHeadAttention', domain: MS, attrs, inputs: { qkv }, inputOrder: ['qkv'], outputs: ['y'] });
  const got = (await runNnrt(packed, { qkv })).y!;
  assert.ok(compareTensors(got, want, TOL).pass, 'packed QKV');
  const kv = randomTensor([b, s, heads, 2, hd], 65);
  const q = randomTensor([b, s, heads * hd], 66);
  const wantKv = (await runOrt(oneNodeModel({
    op: 'MultiHeadAttention', domain: MS, attrs, inputs: { q, k: slot(kv, 2, 0), v: slot(kv, 2, 1) }, inputOrder: ['q', 'k', 'v'], outputs: ['y'],
  }), { q, k: slot(kv, 2, 0), v: slot(kv, 2, 1) })).y!;
  const gotKv = (await runNnrt(oneNodeModel({ op: 'MultiHeadAttention', domain: MS, attrs, inputs: { q, kv }, inputOrder: ['q', 'kv'], outputs: ['y'] }), { q, kv })).y!;
  assert.ok(compareTensors(gotKv, wantKv, TOL).pass, 'packed KV');
});

test('float16 SkipLayerNormalization, MatMulNBits, MultiHeadAttention and GroupQueryAttention match onnxruntime', async () => {
  const half = (t: Tensor) => Tensor.fromNumeric('float16', t.shape, t.numeric());
  const f16Tol = { atol: 1e-2, rtol: 1e-2 };
  await sameAsOrt({
    op: 'SkipLayerNormalization',
    inputs: { x: half(randomTensor([2, 3, 8], 67)), skip: half(randomTensor([2, 3, 8], 68)) },
    initializers: { gamma: half(randomTensor([8], 69, 0.5, 1.5)), beta: half(randomTensor([8], 70)) },
    inputOrder: ['x', 'skip', 'gamma', 'beta'], outputs: ['y'],
  }, f16Tol);
  await sameAsOrt({
    op: 'MatMulNBits', attrs: { K: 32, N: 4, bits: 4, block_size: 16 },
    inputs: { a: half(randomTensor([3, 32], 71)) },
    initializers: { B: ints('uint8', [4, 2, 8], 72, 0, 255), scales: half(randomTensor([8], 73, 0.01, 0.1)) },
    inputOrder: ['a', 'B', 'scales'], outputs: ['y'],
  }, f16Tol);
  await sameAsOrt({
    op: 'MultiHeadAttention', attrs: { num_heads: 2 },
    inputs: { q: half(randomTensor([2, 3, 8], 106)), k: half(randomTensor([2, 4, 8], 107)), v: half(randomTensor([2, 4, 8], 108)) },
    inputOrder: ['q', 'k', 'v'], outputs: ['y'],
  }, f16Tol);
  await sameAsOrt({
    op: 'GroupQueryAttention', attrs: { num_heads: 2, kv_num_heads: 1 },
    inputs: {
      q: half(randomTensor([1, 3, 32], 109)), k: half(randomTensor([1, 3, 16], 110)), v: half(randomTensor([1, 3, 16], 111)),
      seqlens: Tensor.fromNumeric('int32', [1], [2]), total: Tensor.fromNumeric('int32', [], [3]),
    },
    inputOrder: ['q', 'k', 'v', '', '', 'seqlens', 'total'], outputs: ['y', 'present_k', 'present_v'],
  }, f16Tol);
});

test('bad contrib inputs give typed errors naming the node', async () => {
  const run = (spec: Omit<OneNodeSpec, 'domain'>) => runNnrt(oneNodeModel({ domain: MS, ...spec }), spec.inputs);
  const where = (cls: new (...a: never[]) => Error) => (e: unknown) => e instanceof cls && /node 'n'/.test(String((e as { where?: string }).where ?? e));
  await assert.rejects(run({
    op: 'MatMulNBits', attrs: { K: 32, N: 4, bits: 4, block_size: 16 }, inputs: { a: randomTensor([2, 32], 74) },
    initializers: { B: ints('uint8', [4, 2, 7], 75, 0, 255), scales: randomTensor([8], 76) }, inputOrder: ['a', 'B', 'scales'], outputs: ['y'],
  }), where(ShapeError));
  await assert.rejects(run({
    op: 'GroupQueryAttention', attrs: { num_heads: 2, kv_num_heads: 1 },
    inputs: {
      q: randomTensor([1, 2, 16], 77), k: randomTensor([1, 2, 8], 78), v: randomTensor([1, 2, 8], 79),
      seqlens: Tensor.fromNumeric('int32', [1], [9]), total: Tensor.fromNumeric('int32', [], [2]),
    },
    inputOrder: ['q', 'k', 'v', '', '', 'seqlens', 'total'], outputs: ['y'],
  }), where(ExecutionError));
  await assert.rejects(run({
    op: 'Attention', attrs: { num_heads: 2, do_rotary: 1 }, inputs: { x: randomTensor([1, 2, 8], 80) },
    initializers: { w: randomTensor([8, 24], 81) }, inputOrder: ['x', 'w'], outputs: ['y'],
  }), where(UnsupportedError));
  await assert.rejects(run({
    op: 'EmbedLayerNormalization', inputs: { ids: Tensor.fromNumeric('int32', [1, 2], [0, 40]) },
    initializers: { word: randomTensor([30, 4], 82), pos: randomTensor([4, 4], 83), gamma: randomTensor([4], 84), beta: randomTensor([4], 85) },
    inputOrder: ['ids', '', 'word', 'pos', '', 'gamma', 'beta'], outputs: ['y'],
  }), where(ExecutionError));
});
