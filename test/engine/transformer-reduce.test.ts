// The engine's reduce layer against onnxruntime: every supported reduction, axes as the opset-18
// input and as the opset-13 attribute, keepdims 0 and 1, one axis, several (non-adjacent) axes and
// all axes, through the whole engine in fp32 and fp16; and, at kernel level, every tactic
// (serial and workgroup) of a long reduction in each storage.
// fp16: inputs and results stored as halves (relative 2^-11 each), sums of up to 40 of them:
// atol 5e-3, rtol 5e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import '../../src/ops/index.js';
import { compileReduce } from '../../src/engine/kernels/reduce.js';
import type { ReduceLayer } from '../../src/engine/network.js';
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectEngineLikeOrt } from '../helpers/engine-pattern.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16: Tolerance = { atol: 5e-3, rtol: 5e-3 };
const PRECISIONS = [['fp32', FP32_TOLERANCE], ['fp16', F16]] as const;
const axesTensor = (axes: number[]) => Tensor.fromNumeric('int64', [axes.length], axes);

test('every reduction over one axis, two non-adjacent axes and all axes, keepdims 0 and 1', { skip }, async () => {
  const ops = ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum'];
  const cases: [number[], number][] = [[[-1], 1], [[0, 2], 0], [[], 1]];
  for (const [precision, tol] of PRECISIONS) {
    for (const op of ops) {
      for (const [axes, keepdims] of cases) {
        const positive = op === 'ReduceLogSum' || op === 'ReduceProd';
        await expectEngineLikeOrt(gpu!, {
          nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op, inputs: axes.length ? ['r', 'axes'] : ['r'], outputs: ['y'], attrs: { keepdims } }],
          inputs: { x: randomTensor([2, 3, 4], ops.indexOf(op) + 1, positive ? 0.6 : -1, positive ? 1.4 : 2) },
          ...(axes.length ? { initializers: { axes: axesTensor(axes) } } : {}),
          outputs: ['y'],
        }, precision, tol).catch((e: Error) => assert.fail(`${op} axes [${axes}] keepdims ${keepdims}: ${e.message}`));
      }
    }
  }
});

test('ReduceMean over the spatial axes with the opset-13 axes attribute (ConvNeXt pooling)', { skip }, async () => {
  for (const [precision, tol] of PRECISIONS) {
    await expectEngineLikeOrt(gpu!, {
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'ReduceMean', inputs: ['r'], outputs: ['y'], attrs: { axes: [2, 3], keepdims: 0 } }],
      inputs: { x: randomTensor([1, 6, 5, 4], 20) },
      outputs: ['y'], opset: 13,
    }, precision, tol);
  }
});

test('a long reduction: every tactic (serial, workgroup) in each storage mix', { skip }, async () => {
  const shape = [3, 200, 4];
  const x = randomTensor(shape, 30, -1, 2).data;
  for (const [is, os] of [['f32', 'f32'], ['f16x2', 'f16x2'], ['f32', 'f16x2']] as const) {
    const xs = is === 'f16x2' ? roundHalf(x) : x;
    const feeds = { x: new Tensor('float32', shape, xs) };
    const model = oneNodeModel({ op: 'ReduceSum', attrs: { keepdims: 1 }, inputs: feeds, initializers: { axes: axesTensor([1]) }, inputOrder: ['x', 'axes'], outputs: ['y'] });
    const want = (await runOrt(model, feeds)).y!.data as Float32Array;
    const ctx = kernelContext(gpu!, [{ name: 'x', shape, format: { layout: 'plain', storage: is } }, { name: 'y', shape: [3, 1, 4], format: { layout: 'plain', storage: os } }]);
    const layer: ReduceLayer = { kind: 'reduce', name: 'r', from: ['r'], input: 'x', output: 'y', fn: 'sum', axes: [1] };
    const tactics = compileReduce(layer, ctx);
    if (typeof tactics === 'string') assert.fail(tactics);
    assert.deepEqual(tactics.map((t) => t.name), ['reduce-serial', 'reduce-wg64', 'reduce-wg256']);
    for (const t of tactics) {
      const got = (await runTactic(gpu!, t, ctx.tensors, { x: xs }, ['y'])).y!;
      const c = compareTensors(new Tensor('float32', [3, 1, 4], got), new Tensor('float32', [3, 1, 4], want), os === 'f16x2' ? F16 : FP32_TOLERANCE);
      assert.ok(c.pass, `${t.name} ${is} → ${os}: ${JSON.stringify(c)}`);
    }
  }
});
