// Engine matrix products of rank ≥ 2 on the device (lavapipe) against onnxruntime: MatMul by a
// constant matrix over rank-3/4 rows (the gemm kind), batched products of two computed tensors
// with broadcast batch axes (the matmul kind), transposes absorbed into operand strides, and a
// small attention block (Q·Kᵀ scaled, softmax, ·V; fused into one attention layer). fp32 at 1e-4 + 1e-3·|x|; fp16 stores every
// tensor as halves (2^-11 relative per stored value, a few stored values per path, K ≤ 16 terms):
// atol 2e-3, rtol 1e-2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { compileMatmul, matmulTactics } from '../../src/engine/kernels/matmul.js';
import type { MatmulLayer, NetTensor, Storage } from '../../src/engine/network.js';
import { FP32_TOLERANCE, compareTensors, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { expectEngineLikeOrt, type PatternSpec } from '../helpers/engine-pattern.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const FP16: Tolerance = { atol: 2e-3, rtol: 1e-2 };

async function both(spec: PatternSpec, check?: (kinds: string[]) => void) {
  for (const p of ['fp32', 'fp16'] as const) {
    const plan = await expectEngineLikeOrt(gpu!, spec, p, p === 'fp32' ? FP32_TOLERANCE : FP16);
    check?.(plan.layers.map((l) => l.kind));
  }
}

test('MatMul by a constant matrix over rank-3 and rank-4 rows is one gemm layer', { skip }, async () => {
  for (const shape of [[2, 5, 6], [2, 3, 4, 6]]) {
    await both({
      nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
      inputs: { x: randomTensor(shape, 1) }, initializers: { w: randomTensor([6, 10], 2) }, outputs: ['y'],
    }, (kinds) => assert.deepEqual(kinds, ['gemm']));
  }
});

test('batched MatMul of two computed tensors with broadcast batch axes, every storage mix', { skip }, async () => {
  const cases: [number[], number[]][] = [[[2, 3, 5, 6], [2, 3, 6, 7]], [[3, 5, 8], [8, 4]], [[1, 9, 16], [4, 1, 16, 6]], [[5, 6], [2, 6, 10]]];
  for (const [as, bs] of cases) {
    const a = new Tensor('float32', as, roundHalf(randomTensor(as, 3).data));
    const b = new Tensor('float32', bs, roundHalf(randomTensor(bs, 4).data));
    const want = (await runOrt(oneNodeModel({ op: 'MatMul', inputs: { a, b }, inputOrder: ['a', 'b'], outputs: ['y'] }), { a, b })).y!;
    const mixes: [Storage, Storage][] = [['f32', 'f32'], ['f16x2', 'f16x2'], ['f16x2', 'f32']];
    for (const [sa, sy] of mixes) {
      if (sy === 'f16x2' && want.shape[want.shape.length - 1]! % 2) continue;
      const tensors: NetTensor[] = [
        { name: 'a', shape: as, format: { layout: 'plain', storage: sa } },
        { name: 'b', shape: bs, format: { layout: 'plain', storage: sa } },
        { name: 'y', shape: [...want.shape], format: { layout: 'plain', storage: sy } },
      ];
      const ctx = kernelContext(gpu!, tensors);
      const layer: MatmulLayer = { kind: 'matmul', name: 'mm', from: ['mm'], a: 'a', b: 'b', output: 'y', alpha: 1, act: { kind: 'none' } };
      const tactics = matmulTactics(layer, ctx, 2);
      assert.ok(tactics.length >= 2, `${tactics.length} tactics`);
      for (const t of tactics) {
        const got = (await runTactic(gpu!, t, ctx.tensors, { a: a.data, b: b.data }, ['y'])).y!;
        const c = compareTensors(new Tensor('float32', [...want.shape], got), want, sy === 'f16x2' ? FP16 : FP32_TOLERANCE);
        assert.ok(c.pass, `[${as}]·[${bs}] ${sa}→${sy} ${t.name}: ${JSON.stringify(c)}`);
      }
    }
  }
});

test('matmul refuses an output it cannot write, with a reason', { skip }, () => {
  const ctx = kernelContext(gpu!, [
    { name: 'a', shape: [2, 3], format: { layout: 'plain', storage: 'f32' } },
    { name: 'y', shape: [2, 2], format: { layout: 'plain', storage: 'f32' } },
  ]);
  const reason = compileMatmul({ kind: 'matmul', name: 'mm', from: [], a: 'a', b: 'a', bPerm: [1, 0], output: 'y', alpha: 1, act: { kind: 'none' } }, ctx);
  assert.match(String(reason), /bound twice/);
});

test('attention: Q·Kᵀ (transpose absorbed), scale, softmax, ·V, heads permuted back', { skip }, async () => {
  // x [1, 6, 8] → q, k, v [1, 6, 2 heads, 4] → [1, 2, 6, 4]; scores [1, 2, 6, 6]; out [1, 6, 8]
  const w = (s: number) => randomTensor([8, 8], s, -0.5, 0.5);
  const shape4 = new Tensor('int64', [4], BigInt64Array.from([1n, 6n, 2n, 4n]));
  const shape3 = new Tensor('int64', [3], BigInt64Array.from([1n, 6n, 8n]));
  const heads = (src: string, dst: string, perm: number[]) => [
    { op: 'Reshape', inputs: [src, 'shape4'], outputs: [`${dst}_r`] },
    { op: 'Transpose', inputs: [`${dst}_r`], outputs: [dst], attrs: { perm } },
  ];
  await both({
    nodes: [
      { op: 'MatMul', inputs: ['x', 'wq'], outputs: ['q0'] },
      { op: 'MatMul', inputs: ['x', 'wk'], outputs: ['k0'] },
      { op: 'MatMul', inputs: ['x', 'wv'], outputs: ['v0'] },
      ...heads('q0', 'q', [0, 2, 1, 3]),
      ...heads('k0', 'kt', [0, 2, 3, 1]),
      ...heads('v0', 'v', [0, 2, 1, 3]),
      { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['s'] },
      { op: 'Div', inputs: ['s', 'scale'], outputs: ['s2'] },
      { op: 'Softmax', inputs: ['s2'], outputs: ['p'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['p', 'v'], outputs: ['o'] },
      { op: 'Transpose', inputs: ['o'], outputs: ['ot'], attrs: { perm: [0, 2, 1, 3] } },
      { op: 'Reshape', inputs: ['ot', 'shape3'], outputs: ['y'] },
    ],
    inputs: { x: randomTensor([1, 6, 8], 5) },
    initializers: { wq: w(6), wk: w(7), wv: w(8), shape4, shape3, scale: new Tensor('float32', [], Float32Array.of(2)) },
    outputs: ['y'],
  }, (kinds) => {
    // the two products and the softmax between them are one attention layer (fuse-attention)
    assert.equal(kinds.filter((k) => k === 'attention').length, 1, String(kinds));
    assert.equal(kinds.filter((k) => k === 'matmul' || k === 'softmax').length, 0, String(kinds));
  });
});
