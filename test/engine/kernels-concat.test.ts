// Engine concat kernels on the device (lavapipe here) against onnxruntime's Concat: the channel axis
// of NHWC/NCHW tensors and axis 1 of plain rank-2 tensors, f32/f16x2 mixes, odd channel counts
// whose packed pairs straddle two inputs (only the gather tactic can write those), other axes, and
// the in-place case that compiles to no programs. Every tactic a layer returns is run.
// f16x2 outputs: inputs are half-rounded for the reference too, so copies are exact.
import { BASELINE_CAPS } from '../../src/devices/webgpu/caps.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import { compileConcat } from '../../src/engine/kernels/concat.js';
import type { KernelContext } from '../../src/engine/kernels/tactic.js';
import type { ConcatLayer, Layout, NetTensor, Storage } from '../../src/engine/network.js';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU (held, so it is never collected)
import { Tensor } from '../../src/tensor/tensor.js';
import { runTactic } from '../helpers/engine-kernel.js';
import { oneNodeModel, randomTensor, runOrt } from '../helpers/ort-reference.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { kernelContext, roundHalf } from '../helpers/kernel-context.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());

function context(tensors: NetTensor[]): KernelContext {
  return kernelContext(gpu!, tensors);
}

interface Part {
  shape: number[];
  layout: Layout;
  storage: Storage;
}

/** Concatenates `parts` along `axis` into an output of `out` format; checks every tactic against onnxruntime. */
async function check(parts: Part[], axis: number, out: { layout: Layout; storage: Storage }, expect: string[], seed: number) {
  const values = parts.map((p, i) => roundHalf(randomTensor(p.shape, seed + i, -2, 2).data));
  const feeds = Object.fromEntries(parts.map((p, i) => [`x${i}`, new Tensor('float32', p.shape, values[i]!)]));
  const ref = (await runOrt(oneNodeModel({ op: 'Concat', attrs: { axis }, inputs: feeds, inputOrder: Object.keys(feeds), outputs: ['y'] }), feeds)).y!;
  const tensors: NetTensor[] = parts.map((p, i) => ({ name: `x${i}`, shape: p.shape, format: { layout: p.layout, storage: p.storage } }));
  tensors.push({ name: 'y', shape: [...ref.shape], format: out });
  const ctx = context(tensors);
  const layer: ConcatLayer = { kind: 'concat', name: 'cat', from: ['cat'], inputs: Object.keys(feeds), output: 'y', axis };
  const tactics = compileConcat(layer, ctx);
  if (typeof tactics === 'string') assert.fail(tactics);
  assert.deepEqual(tactics.map((t) => t.name), expect);
  for (const t of tactics) {
    const got = (await runTactic(gpu!, t, ctx.tensors, Object.fromEntries(parts.map((_, i) => [`x${i}`, values[i]!])), ['y'])).y!;
    assert.deepEqual([...got], [...(ref.data as Float32Array)], `${t.name}: ${parts.map((p) => `[${p.shape}] ${p.layout}/${p.storage}`).join(', ')} → ${out.layout}/${out.storage}`);
  }
}

const BOTH = ['copy-per-input', 'gather'];

test('channel concat of NHWC and NCHW tensors in f32 and f16x2', { skip }, async () => {
  await check([{ shape: [2, 4, 3, 3], layout: 'nhwc', storage: 'f16x2' }, { shape: [2, 6, 3, 3], layout: 'nhwc', storage: 'f16x2' }], 1, { layout: 'nhwc', storage: 'f16x2' }, BOTH, 1);
  await check([{ shape: [1, 3, 2, 5], layout: 'nchw', storage: 'f32' }, { shape: [1, 2, 2, 5], layout: 'nhwc', storage: 'f16x2' }, { shape: [1, 1, 2, 5], layout: 'nhwc', storage: 'f32' }], 1, { layout: 'nchw', storage: 'f32' }, BOTH, 3);
  await check([{ shape: [1, 3, 2, 2], layout: 'nhwc', storage: 'f32' }, { shape: [1, 5, 2, 2], layout: 'nhwc', storage: 'f32' }], 1, { layout: 'nhwc', storage: 'f32' }, BOTH, 5);
});

test('odd channel counts into a packed f16 output: only the gather tactic', { skip }, async () => {
  await check([{ shape: [1, 3, 2, 3], layout: 'nhwc', storage: 'f32' }, { shape: [1, 5, 2, 3], layout: 'nhwc', storage: 'f32' }], 1, { layout: 'nhwc', storage: 'f16x2' }, ['gather'], 7);
});

test('plain rank-2 concat on axis 1 and an NCHW concat on the height axis', { skip }, async () => {
  await check([{ shape: [3, 4], layout: 'plain', storage: 'f16x2' }, { shape: [3, 6], layout: 'plain', storage: 'f32' }], 1, { layout: 'plain', storage: 'f16x2' }, BOTH, 9);
  await check([{ shape: [1, 2, 3, 4], layout: 'nchw', storage: 'f32' }, { shape: [1, 2, 1, 4], layout: 'nchw', storage: 'f32' }], -2, { layout: 'nchw', storage: 'f32' }, BOTH, 11);
});

test('an in-place concat compiles to no programs', () => {
  const layer: ConcatLayer = { kind: 'concat', name: 'cat', from: ['cat'], inputs: ['a', 'b'], output: 'y', axis: 1, inPlace: true };
  const tactics = compileConcat(layer, { caps: BASELINE_CAPS, tensors: new Map(), placement: new Map() });
  assert.deepEqual(tactics, [{ name: 'in-place', programs: [], constants: [], scratch: [] }]);
});

test('inputs that do not add up to the output are refused', { skip }, () => {
  const f = { layout: 'nhwc', storage: 'f32' } as const;
  const ctx = context([{ name: 'a', shape: [1, 2, 2, 2], format: f }, { name: 'b', shape: [1, 2, 2, 2], format: f }, { name: 'y', shape: [1, 5, 2, 2], format: f }]);
  const reason = compileConcat({ kind: 'concat', name: 'cat', from: ['cat'], inputs: ['a', 'b'], output: 'y', axis: 1 }, ctx);
  assert.match(String(reason), /add up to 4/);
});
