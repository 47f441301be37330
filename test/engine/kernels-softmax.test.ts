// Engine softmax / log-softmax kernels on the device (lavapipe here) against onnxruntime's Softmax
// and LogSoftmax over the last axis: short rows (the invocation-per-row tactic too), long rows
// (workgroup reductions with several elements per thread), large logits (max subtraction), and
// f32/f16x2 storage mixes. Every tactic a layer returns is run.
// f16x2 tolerance: inputs are half-rounded for the reference too; the output's rounding to half
// leaves relative 2^-11: atol 1e-3, rtol 2e-3 (log-softmax values reach ~−100: rtol dominates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import { compileSoftmax } from '../../src/engine/kernels/softmax.js';
import type { KernelContext } from '../../src/engine/kernels/tactic.js';
import type { Layout, NetTensor, SoftmaxLayer, Storage } from '../../src/engine/network.js';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU (held, so it is never collected)
import { compareTensors, FP32_TOLERANCE, type Tolerance } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const F16_TOLERANCE: Tolerance = { atol: 1e-3, rtol: 2e-3 };

function context(tensors: NetTensor[], maxWorkgroupsPerDimension?: number): KernelContext {
  return kernelContext(gpu!, tensors, { maxWorkgroupsPerDimension });
}

async function check(shape: number[], log: boolean, range: number, mixes: [Storage, Storage][], seed: number, expectTactics: string[] = [], maxGroups?: number) {
  const x = roundHalf(randomTensor(shape, seed, -range, range).data);
  const feeds = { x: new Tensor('float32', shape, x) };
  const ref = (await runOrt(oneNodeModel({ op: log ? 'LogSoftmax' : 'Softmax', attrs: { axis: -1 }, inputs: feeds, inputOrder: ['x'], outputs: ['y'] }), feeds)).y!;
  const layout: Layout = shape.length === 4 ? 'nchw' : 'plain';
  for (const [is, os] of mixes) {
    const ctx = context([{ name: 'x', shape, format: { layout, storage: is } }, { name: 'y', shape, format: { layout, storage: os } }], maxGroups);
    const layer: SoftmaxLayer = { kind: 'softmax', name: 'sm', from: ['sm'], input: 'x', output: 'y', log };
    const tactics = compileSoftmax(layer, ctx);
    if (typeof tactics === 'string') assert.fail(tactics);
    for (const name of expectTactics) assert.ok(tactics.some((t) => t.name === name), `${name} among ${tactics.map((t) => t.name)}`);
    for (const t of tactics) {
      const got = (await runTactic(gpu!, t, ctx.tensors, { x }, ['y'])).y!;
      const cmp = compareTensors(new Tensor('float32', shape, got), ref, os === 'f16x2' ? F16_TOLERANCE : FP32_TOLERANCE);
      assert.ok(cmp.pass, `${log ? 'log-' : ''}softmax [${shape}] ${is} → ${os} ${t.name}: ${JSON.stringify(cmp)}`);
    }
  }
}

const MIXES: [Storage, Storage][] = [['f32', 'f32'], ['f32', 'f16x2'], ['f16x2', 'f32'], ['f16x2', 'f16x2']];

test('softmax over short rows, every storage mix, including the row-per-invocation tactic', { skip }, async () => {
  await check([7, 10], false, 4, MIXES, 1, ['softmax-row', 'softmax-wg64', 'softmax-wg256']);
});

test('softmax over long rows with large logits, and a rank-4 row-major tensor', { skip }, async () => {
  await check([3, 1000], false, 60, [['f32', 'f32'], ['f16x2', 'f16x2']], 2);
  await check([2, 3, 2, 6], false, 5, [['f32', 'f32']], 3);
});

test('more rows than workgroups fit in one grid dimension', { skip }, async () => {
  await check([11, 20], false, 4, [['f32', 'f32']], 6, [], 4);
});

test('log-softmax over short and long rows', { skip }, async () => {
  await check([5, 12], true, 6, MIXES, 4);
  await check([2, 601], true, 30, [['f32', 'f32'], ['f16x2', 'f32']], 5);
});

test('softmax of an NHWC tensor is refused with a reason', { skip }, () => {
  const shape = [1, 4, 2, 2];
  const ctx = context([{ name: 'x', shape, format: { layout: 'nhwc', storage: 'f32' } }, { name: 'y', shape, format: { layout: 'nhwc', storage: 'f32' } }]);
  const reason = compileSoftmax({ kind: 'softmax', name: 'sm', from: ['sm'], input: 'x', output: 'y', log: false }, ctx);
  assert.match(String(reason), /not row-major/);
});
