// The attention layer through the whole engine against onnxruntime: the MatMul → scale (Mul or
// Div) → Add mask → Softmax → MatMul chain fused into one layer (fuse-attention: K transposed by a
// Transpose or given as Kᵀ, with and without a mask, the output Transpose absorbed), and ONNX
// Attention (opset 23) imported directly: 4-D causal, 3-D with grouped kv heads, a float mask and
// a scale attribute. Key counts past one key block (32/64) exercise the online softmax across
// blocks. fp32 and fp16 storage; fp16 stores Q, K, V and O as halves (2^-11 relative each) and
// the probabilities multiply V's rounding: atol 3e-3, rtol 1e-2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import type { EnginePlan } from '../../src/engine/plan-format.js';
import { FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectEngineLikeOrt, patternModel, type PatternNode } from '../helpers/engine-pattern.js';
import { engineSupports } from '../../src/engine/support.js';
import { inferShapes } from '../../src/ir/infer.js';
import { importOnnx } from '../../src/onnx/import/model.js';
import { opTyper } from '../../src/ops/typer.js';
import { importAndRun } from './passes-harness.js';
import { randomTensor, type AttrSpec } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 3e-3, rtol: 1e-2 };
const PRECISIONS = [['fp32', FP32_TOLERANCE], ['fp16', F16]] as const;

const kinds = (plan: EnginePlan) => plan.layers.map((l) => l.kind);

/** A [B,1,1,S] padding mask: −10000 on some keys of each batch entry (BERT's form). */
function paddingMask(b: number, s: number): Tensor {
  return new Tensor('float32', [b, 1, 1, s], Float32Array.from({ length: b * s }, (_, i) => (i % s >= s - 3 - (i / s | 0) || i % 7 === 2 ? -10000 : 0)));
}

test('MatMul → Mul → Add mask → Softmax → MatMul → Transpose, K through a Transpose: one attention layer', { skip }, async () => {
  const [B, H, Sq, Sk, D] = [2, 2, 9, 40, 8];
  for (const [precision, tol] of PRECISIONS) {
    for (const [op, k] of [['Mul', 1 / Math.sqrt(D)], ['Div', Math.sqrt(D)]] as const) {
      const nodes: PatternNode[] = [
        { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 1, 3, 2] } },
        { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['qk'] },
        { op, inputs: ['qk', 'scale'], outputs: ['s'] },
        { op: 'Add', inputs: ['s', 'mask'], outputs: ['sm'] },
        { op: 'Softmax', inputs: ['sm'], outputs: ['p'], attrs: { axis: -1 } },
        { op: 'MatMul', inputs: ['p', 'v'], outputs: ['o'] },
        { op: 'Transpose', inputs: ['o'], outputs: ['y'], attrs: { perm: [0, 2, 1, 3] } },
      ];
      const plan = await expectEngineLikeOrt(gpu!, {
        nodes,
        inputs: { q: randomTensor([B, H, Sq, D], 1, -2, 2), k: randomTensor([B, H, Sk, D], 2, -2, 2), v: randomTensor([B, H, Sk, D], 3), mask: paddingMask(B, Sk) },
        initializers: { scale: new Tensor('float32', [], new Float32Array([k])) },
        outputs: ['y'],
      }, precision, tol);
      const attn = plan.layers.filter((l) => l.kind === 'attention');
      assert.equal(attn.length, 1, JSON.stringify(kinds(plan)));
      assert.equal(attn[0]!.from.length, 7, `every node fused: ${attn[0]!.from}`);
    }
  }
});

test('Kᵀ given as an input, Div scale, no mask, broadcast batch of V: one attention layer', { skip }, async () => {
  const [H, Sq, Sk, D, Dv] = [3, 17, 70, 16, 6];
  for (const [precision, tol] of PRECISIONS) {
    const plan = await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['qk'] },
        { op: 'Div', inputs: ['qk', 'scale'], outputs: ['s'] },
        { op: 'Softmax', inputs: ['s'], outputs: ['p'], attrs: { axis: 3 } },
        { op: 'MatMul', inputs: ['p', 'v'], outputs: ['y'] },
      ],
      inputs: { q: randomTensor([1, H, Sq, D], 4, -1, 1), kt: randomTensor([1, H, D, Sk], 5, -1, 1), v: randomTensor([1, 1, Sk, Dv], 6) },
      initializers: { scale: new Tensor('float32', [], new Float32Array([Math.sqrt(D)])) },
      outputs: ['y'],
    }, precision, tol);
    assert.deepEqual(kinds(plan), ['attention']);
  }
});

test('a softmax result read elsewhere too stays matmul → softmax → matmul', { skip }, async () => {
  const plan = await expectEngineLikeOrt(gpu!, {
    nodes: [
      { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['qk'] },
      { op: 'Softmax', inputs: ['qk'], outputs: ['p'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['p', 'v'], outputs: ['y'] },
    ],
    inputs: { q: randomTensor([2, 4, 8], 7), kt: randomTensor([2, 8, 6], 8), v: randomTensor([2, 6, 4], 9) },
    outputs: ['y', 'p'],
  }, 'fp32', FP32_TOLERANCE);
  assert.ok(!kinds(plan).includes('attention'), JSON.stringify(kinds(plan)));
});

test('ONNX Attention 4-D: causal, scale attribute, Sq < Sk (one attention layer)', { skip }, async () => {
  const [B, H, Sq, Sk, D] = [2, 2, 12, 45, 8];
  for (const [precision, tol] of PRECISIONS) {
    for (const attrs of [{ is_causal: 1 }, { scale: 0.2 }] as Record<string, AttrSpec>[]) {
      const plan = await expectEngineLikeOrt(gpu!, {
        nodes: [{ op: 'Attention', inputs: ['q', 'k', 'v'], outputs: ['y'], attrs }],
        inputs: { q: randomTensor([B, H, Sq, D], 10, -2, 2), k: randomTensor([B, H, Sk, D], 11, -2, 2), v: randomTensor([B, H, Sk, 4], 12) },
        outputs: ['y'],
        opset: 23,
      }, precision, tol);
      assert.deepEqual(kinds(plan), ['attention']);
    }
  }
});

test('ONNX Attention 3-D with grouped kv heads (4 q heads, 2 kv heads) and a float mask', { skip }, async () => {
  const [B, Sq, Sk, D] = [2, 7, 33, 6];
  for (const [precision, tol] of PRECISIONS) {
    for (const causal of [0, 1]) {
      const plan = await expectEngineLikeOrt(gpu!, {
        nodes: [{ op: 'Attention', inputs: ['q', 'k', 'v', 'mask'], outputs: ['y'], attrs: { q_num_heads: 4, kv_num_heads: 2, is_causal: causal } }],
        inputs: {
          q: randomTensor([B, Sq, 4 * D], 13, -2, 2), k: randomTensor([B, Sk, 2 * D], 14, -2, 2), v: randomTensor([B, Sk, 2 * D], 15),
          mask: randomTensor([Sq, Sk], 16, -3, 1),
        },
        outputs: ['y'],
        opset: 23,
      }, precision, tol);
      assert.deepEqual(kinds(plan), ['attention']);
    }
  }
});

test('a constant mask added to the scores (causal with finfo.min, or any values) is fused too', { skip }, async () => {
  const [H, S, D] = [2, 36, 8];
  const causal = new Float32Array(S * S).map((_, i) => ((i % S) > Math.floor(i / S) ? -3.4028234663852886e38 : 0));
  const any = randomTensor([1, 1, S, S], 20, -2, 2);
  for (const [precision, tol] of PRECISIONS) {
    for (const mask of [new Tensor('float32', [1, 1, S, S], causal), any]) {
      const plan = await expectEngineLikeOrt(gpu!, {
        nodes: [
          { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['qk'] },
          { op: 'Mul', inputs: ['qk', 'scale'], outputs: ['s'] },
          { op: 'Add', inputs: ['s', 'mask'], outputs: ['sm'] },
          { op: 'Softmax', inputs: ['sm'], outputs: ['p'], attrs: { axis: -1 } },
          { op: 'MatMul', inputs: ['p', 'v'], outputs: ['y'] },
        ],
        inputs: { q: randomTensor([1, H, S, D], 21, -2, 2), kt: randomTensor([1, H, D, S], 22, -2, 2), v: randomTensor([1, H, S, D], 23) },
        initializers: { scale: new Tensor('float32', [], new Float32Array([0.35])), mask },
        outputs: ['y'],
      }, precision, tol);
      assert.deepEqual(kinds(plan), ['attention']);
    }
  }
});

test('ONNX Attention: what the engine declines, with the reason', () => {
  const q = randomTensor([1, 2, 4, 8], 30);
  const cases: [Record<string, AttrSpec>, string[], RegExp][] = [
    [{ softcap: 30 }, ['q', 'q', 'q'], /softcap/],
    [{}, ['q', 'q', 'q', '', 'q', 'q'], /past_key/],
    [{ left_window_size: 2 }, ['q', 'q', 'q'], /window/],
  ];
  for (const [attrs, inputs, want] of cases) {
    const { graph } = importOnnx(patternModel({ nodes: [{ op: 'Attention', inputs, outputs: ['y'], attrs }], inputs: { q }, outputs: ['y'], opset: 23 }));
    const types = inferShapes(graph, opTyper, { q: [1, 2, 4, 8] });
    const verdict = engineSupports(graph.nodes[0]!, types, graph);
    assert.match(String(verdict), want);
  }
});

test('lowered to ONNX nodes (views as Gathers), the attention layers compute what their graphs do (CPU)', () => {
  const chain = patternModel({
    nodes: [
      { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 1, 3, 2] } },
      { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['qk'] },
      { op: 'Div', inputs: ['qk', 'scale'], outputs: ['s'] },
      { op: 'Add', inputs: ['s', 'mask'], outputs: ['sm'] },
      { op: 'Softmax', inputs: ['sm'], outputs: ['p'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['p', 'v'], outputs: ['o'] },
      { op: 'Transpose', inputs: ['o'], outputs: ['y'], attrs: { perm: [0, 2, 1, 3] } },
    ],
    inputs: { q: randomTensor([2, 2, 5, 4], 1), k: randomTensor([2, 2, 7, 4], 2), v: randomTensor([2, 2, 7, 3], 3), mask: paddingMask(2, 7) },
    initializers: { scale: new Tensor('float32', [], new Float32Array([2])) },
    outputs: ['y'],
  });
  const { after } = importAndRun(importOnnx(chain).graph, { q: [2, 2, 5, 4], k: [2, 2, 7, 4], v: [2, 2, 7, 3], mask: [2, 1, 1, 7] });
  assert.deepEqual(after.layers.map((l) => l.kind), ['attention']);
  const gqa = patternModel({
    nodes: [{ op: 'Attention', inputs: ['q', 'k', 'v'], outputs: ['y'], attrs: { q_num_heads: 4, kv_num_heads: 2, is_causal: 1 } }],
    inputs: { q: randomTensor([1, 5, 8], 4), k: randomTensor([1, 6, 4], 5), v: randomTensor([1, 6, 6], 6) },
    outputs: ['y'],
    opset: 23,
  });
  importAndRun(importOnnx(gqa).graph, { q: [1, 5, 8], k: [1, 6, 4], v: [1, 6, 6] });
});
