// The engine's norm layer through the whole engine against onnxruntime: LayerNormalization over the
// last axis and over two trailing axes (broadcast scale, no bias), RMSNormalization (opset 23),
// SimplifiedLayerNormalization, and a residual Add folded in as the skip input (one layer; with the
// sum as the norm's second output when it is read again, the pre-norm residual stream). fp32
// and fp16 storage, rows shorter and longer than a workgroup; every tactic of a skip norm at kernel
// level. The Mean output in use is declined.
// fp16: inputs, weights and the result stored as halves (relative 2^-11 each): atol 3e-3, rtol 3e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { engineSupports } from '../../src/engine/support.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { compileNorm } from '../../src/engine/kernels/norm.js';
import type { NormLayer, Storage } from '../../src/engine/network.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { typesOf } from '../partition/helpers.js';
import { expectEngineLikeOrt } from '../helpers/engine-pattern.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';
import { ortOneNode } from '../helpers/ort-one-node.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 3e-3, rtol: 3e-3 };
const PRECISIONS = [['fp32', FP32_TOLERANCE], ['fp16', F16]] as const;

test('LayerNormalization over the last axis (short and long rows) and over two axes', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    for (const [shape, axis, seed] of [[[2, 5, 8], -1, 1], [[3, 300], 1, 2], [[2, 3, 4, 6], 2, 3]] as const) {
      const norm = shape.slice(axis < 0 ? shape.length + axis : axis);
      await expectEngineLikeOrt(gpu!, {
        nodes: [{ op: 'LayerNormalization', inputs: ['x', 's', 'b'], outputs: ['y'], attrs: { axis, epsilon: 1e-5 } }],
        inputs: { x: randomTensor([...shape], seed, -2, 3) },
        initializers: { s: randomTensor(norm, seed + 10, 0.5, 1.5), b: randomTensor(norm, seed + 20) },
        outputs: ['y'],
      }, precision, tol);
    }
    // scale [6] broadcast over the normalized dims [4, 6], no bias
    await expectEngineLikeOrt(gpu!, {
      nodes: [{ op: 'LayerNormalization', inputs: ['x', 's'], outputs: ['y'], attrs: { axis: -2 } }],
      inputs: { x: randomTensor([2, 4, 6], 4) },
      initializers: { s: randomTensor([6], 5) },
      outputs: ['y'],
    }, precision, tol);
  }
});

test('RMSNormalization (opset 23) and SimplifiedLayerNormalization', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    await expectEngineLikeOrt(gpu!, {
      nodes: [{ op: 'RMSNormalization', inputs: ['x', 's'], outputs: ['y'], attrs: { epsilon: 1e-6 } }],
      inputs: { x: randomTensor([2, 3, 10], 6, -2, 2) },
      initializers: { s: randomTensor([10], 7) },
      outputs: ['y'], opset: 23,
    }, precision, tol);
    await expectEngineLikeOrt(gpu!, {
      nodes: [{ op: 'SimplifiedLayerNormalization', inputs: ['x', 's'], outputs: ['y'], attrs: { axis: -1, epsilon: 1e-6 } }],
      inputs: { x: randomTensor([4, 16], 8, -2, 2) },
      initializers: { s: randomTensor([16], 9) },
      outputs: ['y'],
    }, precision, tol);
  }
});

test('a residual Add read only by the LayerNormalization becomes its skip input (one layer)', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    const plan = await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Relu', inputs: ['h'], outputs: ['r'] },
        { op: 'Add', inputs: ['x', 'r'], outputs: ['sum'] },
        { op: 'LayerNormalization', inputs: ['sum', 's', 'b'], outputs: ['y'] },
      ],
      inputs: { x: randomTensor([2, 3, 12], 10), h: randomTensor([2, 3, 12], 11) },
      initializers: { s: randomTensor([12], 12), b: randomTensor([12], 13) },
      outputs: ['y'],
    }, precision, tol);
    const norm = plan.layers.find((l) => l.kind === 'norm');
    assert.ok(norm && norm.from.some((f) => f.startsWith('Add')), `Add folded into the norm: ${JSON.stringify(plan.layers.map((l) => [l.kind, l.from]))}`);
  }
});

test('pre-norm residual stream: a sum read by the norm and again later is the norm\'s second output (the Add goes), also as a network output', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    const plan = await expectEngineLikeOrt(gpu!, {
      nodes: [
        { op: 'Relu', inputs: ['h'], outputs: ['r'] },
        { op: 'Add', inputs: ['x', 'r'], outputs: ['sum'] },
        { op: 'LayerNormalization', inputs: ['sum', 's', 'b'], outputs: ['n'] },
        { op: 'MatMul', inputs: ['n', 'w'], outputs: ['m'] },
        { op: 'Add', inputs: ['sum', 'm'], outputs: ['sum2'] },
        { op: 'LayerNormalization', inputs: ['sum2', 's', 'b'], outputs: ['y'] },
        { op: 'Sigmoid', inputs: ['sum2'], outputs: ['z'] },
      ],
      inputs: { x: randomTensor([2, 3, 12], 10), h: randomTensor([2, 3, 12], 11) },
      initializers: { s: randomTensor([12], 12), b: randomTensor([12], 13), w: randomTensor([12, 12], 14, -0.5, 0.5) },
      outputs: ['y', 'z', 'sum'],
    }, precision, tol);
    const shown = JSON.stringify(plan.layers.map((l) => [l.kind, l.from]));
    const first = plan.layers.find((l) => l.kind === 'norm' && l.from.includes('Add_1'));
    assert.ok(first, `the first Add folded into a norm that also writes the sum: ${shown}`);
    assert.ok(!plan.layers.some((l) => l.kind === 'pointwise' && l.from.includes('Add_1')), shown);
  }
});

test('LayerNormalization whose Mean output is used is declined with a reason', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 4]);
  const [y, mean] = b.ops('LayerNormalization', [x, b.constant('s', new Tensor('float32', [4], new Float32Array(4).fill(1)))], {}, 2, 'ln');
  b.output(y!);
  b.output(mean!);
  const node = b.graph.nodes.find((n) => n.opType === 'LayerNormalization')!;
  assert.match(String(engineSupports(node, typesOf(b.graph), b.graph)), /Mean \/ InvStdDev output is used/);
});

test('every norm tactic (wg64, wg256, one subgroup per row where the device has fixed-size subgroups) in each storage mix, with a skip input and its sum, rows of 300 and 64', { skip }, async () => {
  const lanes = gpu!.subgroupSize;
  const f16 = gpu!.features.has('shader-f16');
  for (const [length, seed] of [[300, 40], [64, 50]] as const) {
    const shape = [3, length];
    const x = roundHalf(randomTensor(shape, seed, -2, 3).data);
    const r = roundHalf(randomTensor(shape, seed + 1).data);
    const scale = randomTensor([length], seed + 2, 0.5, 1.5).data;
    const bias = randomTensor([length], seed + 3).data;
    const sum = await ortOneNode('Add', { x: { shape, data: x }, r: { shape, data: r } });
    const want = await ortOneNode('LayerNormalization', { x: { shape, data: sum }, s: { shape: [length], data: scale }, b: { shape: [length], data: bias } }, { axis: -1 }, { opset: 17 });
    const rms = await ortOneNode('RMSNormalization', { x: { shape, data: sum }, s: { shape: [length], data: scale } }, { epsilon: 1e-5 }, { opset: 23 });
    const mixes: [Storage, Storage][] = [['f32', 'f32'], ['f16x2', 'f16x2'], ['f16x2', 'f32'], ...(f16 ? [['f16', 'f16'] as [Storage, Storage]] : [])];
    for (const [is, os] of mixes) {
      const ctx = kernelContext(gpu!, [
        { name: 'x', shape, format: { layout: 'plain', storage: is } }, { name: 'r', shape, format: { layout: 'plain', storage: is } },
        { name: 'y', shape, format: { layout: 'plain', storage: os } }, { name: 's', shape, format: { layout: 'plain', storage: os } },
      ]);
      for (const isRms of [false, true]) {
        const layer: NormLayer = { kind: 'norm', name: 'n', from: ['n'], input: 'x', skip: 'r', output: 'y', sum: 's', rms: isRms, axis: 1, epsilon: 1e-5, scale, ...(isRms ? {} : { bias }) };
        const tactics = compileNorm(layer, ctx);
        if (typeof tactics === 'string') assert.fail(tactics);
        assert.deepEqual(tactics.map((t) => t.name), ['norm-wg64', 'norm-wg256', ...(lanes ? [`norm-sg${lanes}`] : [])]);
        const tol = os === 'f32' ? FP32_TOLERANCE : F16;
        for (const t of tactics) {
          const got = await runTactic(gpu!, t, ctx.tensors, { x, r }, ['y', 's']);
          const c = compareTensors(new Tensor('float32', shape, got.y!), new Tensor('float32', shape, isRms ? rms : want), tol);
          assert.ok(c.pass, `${t.name} ${is} → ${os}${isRms ? ' rms' : ''}, rows of ${length}: ${JSON.stringify(c)}`);
          const cs = compareTensors(new Tensor('float32', shape, got.s!), new Tensor('float32', shape, sum), tol);
          assert.ok(cs.pass, `${t.name} ${is} → ${os}: the sum, rows of ${length}: ${JSON.stringify(cs)}`);
        }
      }
    }
  }
});
