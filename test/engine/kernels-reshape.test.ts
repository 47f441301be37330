// Engine reshapes: views where input and output store the same element order and storage (no
// program), copies otherwise, on the device (lavapipe here). A reshape keeps the row-major order
// of the logical values, so the reference is the input's logical values themselves (rounded to
// half precision when the output is f16x2).
import { BASELINE_CAPS } from '../../src/devices/webgpu/caps.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import { compileReshape } from '../../src/engine/kernels/reshape.js';
import type { KernelContext, Tactic } from '../../src/engine/kernels/tactic.js';
import type { Layout, NetTensor, ReshapeLayer, Storage } from '../../src/engine/network.js';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU (held, so it is never collected)
import { fromHalfBits, toHalfBits } from '../../src/tensor/float16.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const roundHalf = (v: Float32Array) => v.map((x) => fromHalfBits(toHalfBits(x)));
const tensor = (name: string, shape: number[], layout: Layout, storage: Storage): NetTensor => ({ name, shape, format: { layout, storage } });
const reshape: ReshapeLayer = { kind: 'reshape', name: 'flatten', from: ['flatten'], input: 'x', output: 'y' };

function context(tensors: NetTensor[]): KernelContext {
  return {
    caps: BASELINE_CAPS,
    tensors: new Map(tensors.map((t) => [t.name, t])),
    placement: new Map(),
  };
}

function tacticsOf(ctx: KernelContext): Tactic[] {
  const t = compileReshape(reshape, ctx);
  if (typeof t === 'string') assert.fail(t);
  return t;
}

test('same element order and storage is a view with no programs', () => {
  const views: [NetTensor, NetTensor][] = [
    [tensor('x', [2, 3, 4, 4], 'nchw', 'f32'), tensor('y', [2, 48], 'plain', 'f32')],
    [tensor('x', [1, 8, 1, 1], 'nhwc', 'f16x2'), tensor('y', [1, 8], 'plain', 'f16x2')],
    [tensor('x', [2, 1, 3, 4], 'nhwc', 'f32'), tensor('y', [2, 12], 'plain', 'f32')],
    [tensor('x', [6, 4], 'plain', 'f32'), tensor('y', [2, 3, 2, 2], 'nchw', 'f32')],
  ];
  for (const [x, y] of views) {
    const tactics = tacticsOf(context([x, y]));
    assert.deepEqual(tactics.map((t) => [t.name, t.programs.length]), [['view', 0]], `[${x.shape}] ${x.format.layout} → [${y.shape}] ${y.format.layout}`);
  }
});

test('other orders or storages are copied in row-major order', { skip }, async () => {
  const copies: [NetTensor, NetTensor][] = [
    [tensor('x', [1, 4, 3, 3], 'nhwc', 'f32'), tensor('y', [1, 36], 'plain', 'f32')],
    [tensor('x', [2, 4, 3, 3], 'nhwc', 'f16x2'), tensor('y', [2, 36], 'plain', 'f16x2')],
    [tensor('x', [2, 4, 3, 3], 'nhwc', 'f16x2'), tensor('y', [6, 12], 'plain', 'f32')],
    [tensor('x', [3, 10], 'plain', 'f32'), tensor('y', [3, 10, 1], 'plain', 'f16x2')],
    [tensor('x', [5, 3], 'plain', 'f32'), tensor('y', [1, 3, 5], 'nhwc', 'f32')],
  ];
  for (const [i, [x, y]] of copies.entries()) {
    const ctx = context([x, y]);
    const tactics = tacticsOf(ctx);
    assert.deepEqual(tactics.map((t) => t.name), ['copy']);
    const values = randomTensor(x.shape, i + 1, -3, 3).data;
    const fed = x.format.storage === 'f16x2' ? roundHalf(values) : values;
    const want = y.format.storage === 'f16x2' ? roundHalf(fed) : fed;
    const got = (await runTactic(gpu!, tactics[0]!, ctx.tensors, { x: fed }, ['y'])).y!;
    assert.deepEqual([...got], [...want], `[${x.shape}] ${x.format.layout}/${x.format.storage} → [${y.shape}] ${y.format.layout}/${y.format.storage}`);
  }
});

test('a reshape that changes the element count is refused', () => {
  const reason = compileReshape(reshape, context([tensor('x', [2, 3], 'plain', 'f32'), tensor('y', [7], 'plain', 'f32')]));
  assert.match(String(reason), /different element counts/);
});
