// The device check that int8 tensor-core tiles must pass before the builder offers them
// (src/engine/int8-mma-check.ts). lavapipe has no subgroup matrices, so the check is checked with
// the dot4I8Packed tiles (their sums must equal the check's integer formula, computed on the host)
// and with broken tiles, which it must reject with a reason naming the tile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceCaps, type DeviceCaps } from '../../src/devices/webgpu/caps.js';
import { sharedGpuDevice } from '../../src/devices/webgpu/device.js';
import { defaultGpu } from '../../src/devices/webgpu/provider.js';
import '../../src/node/webgpu.js';
import { checkInt8Tiles, int8MmaFault, int8TileFaults, withoutInt8Mma } from '../../src/engine/int8-mma-check.js';
import { hasI8Mma, int8MmaLoop } from '../../src/engine/kernels/matrix/int8-mma.js';
import { allSteps, wordStage } from '../../src/engine/kernels/matrix/int8-stage.js';
import { INT8_TILES, int8TileName, int8TileTactic, int8TileUnfit } from '../../src/engine/kernels/matrix/int8-tile.js';
import { webgpuSkip } from '../webgpu/gpu-available.js';
import { emulatedTactic } from '../helpers/subgroup-matrix-emulation.js';

const skip = webgpuSkip() ?? false;
const gpu = skip ? undefined : await sharedGpuDevice(await defaultGpu());
const simt = INT8_TILES.filter((t) => !t.mma);

test('the dot4I8Packed tiles pass the check: its host sums are the kernels\' sums', { skip }, async () => {
  const caps = deviceCaps(gpu!);
  assert.equal(await checkInt8Tiles(gpu!, caps, simt.filter((t) => !int8TileUnfit(t, caps, { m: 70, n: 96, groups: 2 }))), undefined);
});

test('a tile that gets a sum wrong is named, with the sum', { skip }, async () => {
  const caps = deviceCaps(gpu!);
  // one weight off by one: every sum of its column moves
  const broken: typeof int8TileTactic = (name, p, t, c) => int8TileTactic(name, { ...p, at: (g, k, n) => p.at(g, k, n) + (g === 1 && k === 7 && n === 95 ? 1 : 0) }, t, c);
  const fault = await checkInt8Tiles(gpu!, caps, [simt[0]!], broken);
  assert.match(fault ?? '', /^tile 64x64x16 computed -?\d+ for sum \d+ of a 2×70×96×200 product, not -?\d+$/);
});

test('each wrong tile is named by itself, so the right ones stay in use', { skip }, async () => {
  const caps = deviceCaps(gpu!);
  const tiles = simt.filter((t) => !int8TileUnfit(t, caps, { m: 70, n: 96, groups: 2 }));
  assert.ok(tiles.length >= 2);
  const bad = int8TileName(tiles[1]!);
  // only the second tile's program reads one weight off by one
  const oneBroken: typeof int8TileTactic = (name, p, t, c) => int8TileTactic(name, int8TileName(t) !== bad ? p : { ...p, at: (g, k, n) => p.at(g, k, n) + (g === 0 && k === 3 && n === 5 ? 1 : 0) }, t, c);
  const faults = await int8TileFaults(gpu!, caps, tiles, oneBroken);
  assert.deepEqual([...faults.keys()], [bad]);
  assert.match(faults.get(bad)!, new RegExp(`^tile ${bad} computed -?\\d+ for sum 5 of a 2×70×96×200 product, not -?\\d+$`));
  // a tile the check left out is unfit on that device, with the reason
  const mma = INT8_TILES.find((t) => t.mma)!;
  const withMma: DeviceCaps = { ...caps, subgroupMatrix: [{ componentType: 'i8', resultComponentType: 'i32', M: 16, N: 16, K: 32 }], subgroupSize: 32, maxWorkgroupStorage: 32768 };
  assert.equal(int8TileUnfit(mma, withMma, { m: 64, n: 64, groups: 1 }), undefined);
  assert.match(int8TileUnfit(mma, { ...withMma, i8TilesOff: [int8TileName(mma)] }, { m: 64, n: 64, groups: 1 }) ?? '', /failed the device check/);
});

test('every subgroup-matrix tile, its matrix operations emulated on lavapipe, computes the check\'s sums exactly', { skip }, async () => {
  const i8 = { componentType: 'i8', resultComponentType: 'i32', M: 16, N: 16, K: 32 };
  const caps: DeviceCaps = { ...deviceCaps(gpu!), subgroupMatrix: [i8], subgroupSize: 32, i8MatrixUnit: 'word' };
  const mma = INT8_TILES.filter((t) => t.mma);
  assert.ok(mma.some((t) => t.rm) && mma.some((t) => !t.rm), 'blocked and 16×32-block tiles');
  assert.deepEqual(mma.map((t) => int8TileUnfit(t, caps, { m: 70, n: 96, groups: 2 })).filter(Boolean), []);
  const faults = await int8TileFaults(gpu!, caps, mma, (n, p, t, c, splits) => emulatedTactic(int8TileTactic(n, p, t, c, splits)));
  assert.deepEqual([...faults.values()], []);
});

test('a tile that does not compile is named with the compiler\'s message', { skip }, async () => {
  const caps = deviceCaps(gpu!);
  const garbled: typeof int8TileTactic = (name, p, t, c) => {
    const tactic = int8TileTactic(name, p, t, c);
    return { ...tactic, programs: tactic.programs.map((q) => ({ ...q, wgsl: q.wgsl.replace('fn main', 'fn main_') })) };
  };
  const fault = await checkInt8Tiles(gpu!, caps, [simt[2]!], garbled);
  assert.match(fault ?? '', /^tile 32x32x32: does not compile: .*main/);
});

test('a device without i8 subgroup matrices needs no check; a failed check takes the 8-bit configs out', async () => {
  const f16 = { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 };
  const i8 = { componentType: 'i8', resultComponentType: 'i32', M: 16, N: 16, K: 32 };
  const caps: DeviceCaps = { maxWorkgroupStorage: 32768, maxStorageBuffersPerStage: 8, maxWorkgroupsPerDimension: 65535, maxInvocationsPerWorkgroup: 1024, shaderF16: true, subgroupMatrix: [f16, i8], subgroupSize: 32 };
  assert.ok(hasI8Mma(caps));
  assert.ok(!hasI8Mma({ ...caps, subgroupSize: 16 }), 'the tiles lay out subgroups of 32');
  const off = withoutInt8Mma(caps);
  assert.deepEqual(off.subgroupMatrix, [f16]);
  assert.ok(!hasI8Mma(off));
  // with the configs gone the mma tiles are unfit and the dot4I8Packed ones stay
  const mma = INT8_TILES.find((t) => t.mma)!;
  assert.equal(int8TileUnfit(mma, caps, { m: 64, n: 64, groups: 1 }), undefined);
  assert.match(int8TileUnfit(mma, off, { m: 64, n: 64, groups: 1 }) ?? '', /no i8 16×16×32 subgroup matrices/);
  if (!skip) assert.equal(await int8MmaFault(gpu!), undefined, 'lavapipe offers no subgroup matrices: nothing to check');
});

test('the i8 matrix loads count offsets and strides in the unit the device check found', () => {
  const tile = { tm: 64, tn: 64, tkq: 8 };
  const loads = (unit: 'byte' | 'word') => int8MmaLoop(tile, 256, allSteps(2), wordStage(512, 'let w = 0u;'), wordStage(512, 'let w = 0u;'), unit).loop.match(/subgroupMatrixLoad<[^>]+>[^>]*>\(&Ws, [^;]+;/g) ?? [];
  // 32 K values (8 words) per row of the staged tile, rows padded to 12 words; B starts after A's 64 rows (768 words)
  assert.deepEqual(loads('word').map((l) => l.replace(/^.*\(&Ws, /, '')), ['sm * 12u + 0u, 12u);', '768u + sn * 12u + 0u, 12u);', '768u + (sn + 16u) * 12u + 0u, 12u);']);
  assert.deepEqual(loads('byte').map((l) => l.replace(/^.*\(&Ws, /, '')), ['sm * 48u + 0u, 48u);', '3072u + sn * 48u + 0u, 48u);', '3072u + (sn + 16u) * 48u + 0u, 48u);']);
});
