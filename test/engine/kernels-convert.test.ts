// Engine format conversions on the device (lavapipe here). A conversion keeps every logical value,
// so the reference is the input itself (exact for f32 targets) or the input rounded to half
// precision (src/tensor/float16.ts, round to nearest even) for f16x2 targets, and within half
// precision of the input (|err| ≤ 2^-11·|x|) after a round trip through f16x2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import { compileConvert } from '../../src/engine/kernels/convert.js';
import type { KernelContext, Tactic } from '../../src/engine/kernels/tactic.js';
import type { ConvertLayer, Layout, NetTensor, Storage } from '../../src/engine/network.js';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU (held, so it is never collected)
import { compareTensors } from '../../src/tensor/compare.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { randomTensor } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const tensor = (name: string, shape: number[], layout: Layout, storage: Storage): NetTensor => ({ name, shape, format: { layout, storage } });

function context(tensors: NetTensor[], maxWorkgroupsPerDimension?: number): KernelContext {
  return kernelContext(gpu!, tensors, { maxWorkgroupsPerDimension });
}

const convert = (input: string, output: string): ConvertLayer => ({ kind: 'convert', name: `${input}->${output}`, from: [], input, output });

function tacticsOf(layer: ConvertLayer, ctx: KernelContext): Tactic[] {
  const t = compileConvert(layer, ctx);
  if (typeof t === 'string') assert.fail(t);
  return t;
}

test('layout and storage conversions keep every value (exact in f32, rounded to half in f16x2)', { skip }, async () => {
  const cases: [number[], Layout, Storage, Layout, Storage][] = [
    [[2, 3, 5, 7], 'nchw', 'f32', 'nhwc', 'f32'],
    [[2, 3, 5, 7], 'nhwc', 'f32', 'nchw', 'f32'],
    [[1, 6, 3, 5], 'nchw', 'f32', 'nhwc', 'f16x2'],
    [[1, 6, 3, 5], 'nhwc', 'f16x2', 'nchw', 'f32'],
    [[2, 4, 3, 2], 'nhwc', 'f16x2', 'nchw', 'f16x2'],
    [[2, 4, 9], 'nchw', 'f32', 'nhwc', 'f16x2'],
    [[3, 10], 'plain', 'f32', 'plain', 'f16x2'],
    [[3, 10], 'plain', 'f16x2', 'plain', 'f32'],
  ];
  for (const [i, [shape, il, is, ol, os]] of cases.entries()) {
    const x = randomTensor(shape, i + 1, -4, 4).data;
    const fed = is === 'f16x2' ? roundHalf(x) : x;
    const want = os === 'f16x2' ? roundHalf(fed) : fed;
    const ctx = context([tensor('x', shape, il, is), tensor('y', shape, ol, os)]);
    for (const t of tacticsOf(convert('x', 'y'), ctx)) {
      const got = (await runTactic(gpu!, t, ctx.tensors, { x: fed }, ['y'])).y!;
      assert.deepEqual([...got], [...want], `[${shape}] ${il}/${is} → ${ol}/${os} ${t.name}`);
    }
  }
});

test('nchw f32 → nhwc f16x2 → nchw f32 on the device equals the input within half precision', { skip }, async () => {
  const shape = [2, 8, 5, 3];
  const x = randomTensor(shape, 9, -10, 10).data;
  const ctx = context([tensor('x', shape, 'nchw', 'f32'), tensor('mid', shape, 'nhwc', 'f16x2'), tensor('y', shape, 'nchw', 'f32')]);
  const there = tacticsOf(convert('x', 'mid'), ctx);
  const back = tacticsOf(convert('mid', 'y'), ctx);
  for (const [k, t] of there.entries()) {
    // both conversions in one submission: the packed halves never leave the device
    const both: Tactic = { name: `${t.name}+${back[k]!.name}`, programs: [...t.programs, ...back[k]!.programs], constants: [], scratch: [] };
    const got = (await runTactic(gpu!, both, ctx.tensors, { x }, ['y'])).y!;
    const cmp = compareTensors(new Tensor('float32', shape, got), new Tensor('float32', shape, x), { atol: 0, rtol: 2 ** -11 });
    assert.ok(cmp.pass, `${both.name}: ${JSON.stringify(cmp)}`);
    assert.deepEqual([...got], [...roundHalf(x)], both.name);
  }
});

test('a dispatch past the per-dimension workgroup limit folds into a 2-D grid', { skip }, async () => {
  const shape = [2, 6, 11, 13];
  const x = randomTensor(shape, 12, -4, 4).data;
  // 858 pairs: 14 workgroups of 64 (a 4 × 4 grid when at most 4 fit in a dimension), 4 of 256·2 (one row)
  const ctx = context([tensor('x', shape, 'nchw', 'f32'), tensor('y', shape, 'nhwc', 'f32')], 4);
  const tactics = tacticsOf(convert('x', 'y'), ctx);
  assert.ok(tactics.some((t) => t.programs[0]!.workgroups[1] > 1), 'some tactic needs a second grid dimension');
  for (const t of tactics) {
    assert.ok(t.programs[0]!.workgroups.every((n) => n <= 4), `${t.name}: ${t.programs[0]!.workgroups}`);
    const got = (await runTactic(gpu!, t, ctx.tensors, { x }, ['y'])).y!;
    assert.deepEqual([...got], [...x], t.name);
  }
});

test('a conversion between different shapes is refused with a reason', { skip }, () => {
  const reason = compileConvert(convert('x', 'y'), context([tensor('x', [1, 4, 2, 2], 'nchw', 'f32'), tensor('y', [1, 4, 4], 'plain', 'f32')]));
  assert.match(String(reason), /differ/);
});
