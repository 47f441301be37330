// Tensor storage on the device (src/devices/webgpu/storage.ts): one kernel source, written with
// load_/load2_/store_/store2_, computes y = 2·x + 1 in f32, f16x2 (packed) and native f16 storage.
// Inputs are multiples of 1/4 in [-8, 8), exact in half precision, so every y is exact in all
// three storages and the reference is that arithmetic done in JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceCaps } from '../../src/devices/webgpu/caps.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import { declareConstant, declareTensor, encodeStorage, loaders, storers, withEnables, type Storage } from '../../src/devices/webgpu/storage.js';
import type { NetTensor } from '../../src/engine/network.js';
import '../../src/node/webgpu.js'; // registers Dawn as the process's GPU
import { runTactic } from '../helpers/engine-kernel.js';
import { webgpuSkip } from './gpu-available.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());

/** y = 2x + 1 over `count` elements: pairs through load2/store2, an odd tail through load/store. */
function affineProgram(count: number, xs: Storage, ys: Storage, singles: boolean): string {
  return `${declareTensor(0, 'x', xs)}${declareTensor(1, 'y', ys)}${loaders('x', xs)}${storers('y', ys)}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x * 2u;
  if (i + 1u < ${count}u) {
    store2_y(i, load2_x(i) * 2.0 + vec2<f32>(1.0));
  }${singles ? ` else if (i < ${count}u) {
    store_y(i, load_x(i) * 2.0 + 1.0);
  }` : ''}
}
`;
}

async function affine(count: number, xs: Storage, ys: Storage): Promise<Float32Array> {
  const x = Float32Array.from({ length: count }, (_, i) => ((i * 7) % 64) / 4 - 8);
  const t = (name: string, storage: Storage): NetTensor => ({ name, shape: [count], format: { layout: 'plain', storage } });
  const tensors = new Map([['x', t('x', xs)], ['y', t('y', ys)]]);
  const wgsl = affineProgram(count, xs, ys, ys !== 'f16x2');
  const tactic = { name: 'affine', programs: [{ wgsl, bindings: [{ tensor: 'x' }, { tensor: 'y' }], workgroups: [Math.ceil(count / 128), 1, 1] as [number, number, number] }], constants: [], scratch: [] };
  const { y } = await runTactic(gpu!, tactic, tensors, { x }, ['y']);
  const want = x.map((v) => 2 * v + 1);
  assert.deepEqual(Array.from(y!), Array.from(want), `${xs} → ${ys}`);
  return y!;
}

test('halves are IEEE binary16: 1, -2, 0.5, 65504 encode to their known bit patterns', () => {
  for (const s of ['f16', 'f16x2'] as const) {
    const bits = new Uint16Array(encodeStorage(Float32Array.of(1, -2, 0.5, 65504), s).buffer);
    assert.deepEqual(Array.from(bits), [0x3c00, 0xc000, 0x3800, 0x7bff]);
  }
  assert.equal(withEnables('var<private> a: f16;').split('\n')[0], 'enable f16;');
  assert.equal(withEnables('var<private> a: f32;'), 'var<private> a: f32;');
});

test('f32 and packed f16x2 storage, every pairing of input and output', { skip }, async () => {
  for (const [xs, ys] of [['f32', 'f32'], ['f32', 'f16x2'], ['f16x2', 'f32'], ['f16x2', 'f16x2']] as const) {
    await affine(258, xs, ys);
  }
  await affine(257, 'f32', 'f32');
});

test('native f16 storage (shader-f16), alone and mixed with f32 and f16x2, odd counts', { skip }, async (t) => {
  if (!deviceCaps(gpu!).shaderF16) return t.skip('the adapter does not offer shader-f16');
  for (const [xs, ys] of [['f16', 'f16'], ['f32', 'f16'], ['f16', 'f32'], ['f16', 'f16x2'], ['f16x2', 'f16']] as const) {
    await affine(258, xs, ys);
  }
  await affine(257, 'f16', 'f16');
  await affine(3, 'f32', 'f16');
});
