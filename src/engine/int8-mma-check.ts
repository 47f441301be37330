/// <reference types="@webgpu/types" />
// Int8 tensor-core tiles are checked on each device before the builder offers them: every
// subgroup-matrix int8 tile runs one awkward product (M, N and K off the tile sizes, two groups,
// an input zero point) and its int32 sums must equal the integer formula computed here, exactly.
// The extension's offsets and strides of an 8-bit matrix are read two ways by drivers (words of
// the i32 array, or bytes), so the check runs the tiles under each reading and the first exact
// one is the device's. A tile that does not compile, fails to run or gets one sum wrong under
// both is left out on that device; when no tile is exact under either reading, int8 subgroup
// matrices are off for the device. Either way the reason goes to the build log. Integer sums have
// one right answer, so an adapter whose driver or compiler mishandles the extension (it is an
// unsafe, experimental API) costs speed, never results.
import { deviceCaps, type DeviceCaps } from '../devices/webgpu/caps.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { hasI8Mma } from './kernels/matrix/int8-mma.js';
import { INT8_TILES, int8TileName, int8TileTactic, type Int8Problem, type Int8Tile } from './kernels/matrix/int8-tile.js';
import type { EngineProgram } from './kernels/tactic.js';

const M = 70;
const N = 96;
const K = 200;
const GROUPS = 2;
const ZERO_POINT = 3;

/** Seeded int8 values (an LCG: only their spread matters). */
function int8s(count: number, seed: number): Int8Array {
  let s = seed >>> 0;
  return Int8Array.from({ length: count }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) - 128);
}

/**
 * What the check found: the unit the device counts i8 matrix offsets in (with the tiles wrong even
 * then, each with why), or why no reading gets any tile exact.
 */
export type Int8MmaVerdict = { unit: 'byte' | 'word'; off: { tile: string; fault: string }[] } | { fault: string };

const UNITS = ['word', 'byte'] as const;
const checked = new WeakMap<GpuDevice, Promise<Int8MmaVerdict | undefined>>();

/**
 * The int8 subgroup-matrix tiles on this device: undefined when not offered, else the reading of
 * an 8-bit matrix's offsets (words or bytes) under which every tile is exact, or why neither is.
 */
export function int8MmaVerdict(gpu: GpuDevice, caps: DeviceCaps = deviceCaps(gpu)): Promise<Int8MmaVerdict | undefined> {
  if (!hasI8Mma(caps)) return Promise.resolve(undefined);
  let r = checked.get(gpu);
  if (!r) {
    r = (async (): Promise<Int8MmaVerdict> => {
      const tiles = INT8_TILES.filter((t) => t.mma);
      const faults: string[] = [];
      let best: { unit: 'byte' | 'word'; off: { tile: string; fault: string }[] } | undefined;
      for (const unit of UNITS) {
        const wrong = await int8TileFaults(gpu, { ...caps, i8MatrixUnit: unit }, tiles);
        const off = [...wrong].map(([tile, fault]) => ({ tile, fault }));
        if (off.length === 0) return { unit, off };
        if (off.length < tiles.length && (!best || off.length < best.off.length)) best = { unit, off };
        faults.push(`offsets in ${unit}s: ${off[0]!.fault}`);
      }
      return best ?? { fault: faults.join('; ') };
    })().catch((e: Error) => ({ fault: `the check itself failed: ${e.message}` }));
    checked.set(gpu, r);
  }
  return r;
}

/** Why int8 subgroup-matrix tiles are wrong on this device, or undefined when they are right (or not offered). */
export async function int8MmaFault(gpu: GpuDevice, caps: DeviceCaps = deviceCaps(gpu)): Promise<string | undefined> {
  const v = await int8MmaVerdict(gpu, caps);
  return v && 'fault' in v ? v.fault : undefined;
}

/** The device's capabilities with the check's reading of i8 matrix offsets, or without int8 subgroup matrices where no reading is exact (said through `log`). */
export async function verifiedCaps(gpu: GpuDevice, log: (line: string) => void): Promise<DeviceCaps> {
  const caps = deviceCaps(gpu);
  const v = await int8MmaVerdict(gpu, caps);
  if (!v) return caps;
  if ('unit' in v) {
    for (const o of v.off) log(`int8 subgroup-matrix tile ${o.tile} is off on this device: ${o.fault}`);
    return { ...caps, i8MatrixUnit: v.unit, ...(v.off.length ? { i8TilesOff: v.off.map((o) => o.tile) } : {}) };
  }
  log(`int8 subgroup-matrix tiles are off on this device: ${v.fault}`);
  return withoutInt8Mma(caps);
}

/** `caps` without its 8-bit subgroup-matrix configs: no int8 tile takes the subgroup-matrix loop. */
export function withoutInt8Mma(caps: DeviceCaps): DeviceCaps {
  return { ...caps, subgroupMatrix: caps.subgroupMatrix.filter((m) => m.componentType !== 'i8' && m.componentType !== 'u8') };
}

/**
 * Runs each of `tiles` (as `tactic` makes it) on the check's product; why the first wrong one is
 * wrong, or undefined. Exported for tests, which check the check with the dot4I8Packed tiles and broken ones.
 */
export async function checkInt8Tiles(gpu: GpuDevice, caps: DeviceCaps, tiles: readonly Int8Tile[], tactic: typeof int8TileTactic = int8TileTactic): Promise<string | undefined> {
  for (const tile of tiles) {
    const fault = (await int8TileFaults(gpu, caps, [tile], tactic)).values().next().value;
    if (fault) return fault;
  }
  return undefined;
}

/** Each of `tiles` that is wrong on the device (by name), with why. */
export async function int8TileFaults(gpu: GpuDevice, caps: DeviceCaps, tiles: readonly Int8Tile[], tactic: typeof int8TileTactic = int8TileTactic): Promise<Map<string, string>> {
  const a = int8s(GROUPS * M * K, 11);
  const b = int8s(GROUPS * K * N, 12);
  // the expected sums: Σ_k (a − zp)·b per group, row and column
  const want = new Int32Array(GROUPS * M * N);
  for (let g = 0; g < GROUPS; g++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += (a[(g * M + m) * K + k]! - ZERO_POINT) * b[(g * K + k) * N + n]!;
        want[(g * M + m) * N + n] = acc;
      }
    }
  }
  const problem: Int8Problem = {
    m: M, n: N, k: K, groups: GROUPS,
    at: (g, k, n) => b[(g * K + k) * N + n]!,
    x: { scale: 1, zeroPoint: ZERO_POINT, signed: true },
    weightScales: Float32Array.of(1),
    a: (first) => ({
      wgsl: `@group(0) @binding(${first}) var<storage, read> xq: array<u32>;\nfn loadA4(m: u32, kq: u32) -> u32 { return xq[(grp * ${M}u + m) * ${K / 4}u + kq]; }\n`,
      bindings: [{ tensor: 'a' }],
    }),
    relu: false,
    intOut: true,
    outIndex: `(grp * ${M}u + m) * ${N}u + n`,
    store: 'scratch',
    output: 'y',
    outputCount: GROUPS * M * N,
  };
  const faults = new Map<string, string>();
  for (const tile of tiles) {
    const name = int8TileName(tile);
    const t = tactic('check', problem, tile, caps);
    const got = await runTile(gpu, t.programs as EngineProgram[], t.constants, new Uint8Array(a.buffer), want.byteLength);
    if (typeof got === 'string') { faults.set(name, `tile ${name}: ${got}`); continue; }
    const sums = new Int32Array(got.buffer, 0, want.length);
    const wrong = want.findIndex((v, i) => sums[i] !== v);
    if (wrong >= 0) faults.set(name, `tile ${name} computed ${sums[wrong]} for sum ${wrong} of a ${GROUPS}×${M}×${N}×${K} product, not ${want[wrong]}`);
  }
  return faults;
}

/** Runs the programs on buffers of their own; the output's bytes, or why they could not run. */
async function runTile(gpu: GpuDevice, programs: EngineProgram[], constants: Uint8Array[], input: Uint8Array, outBytes: number): Promise<Uint8Array | string> {
  const device = gpu.device;
  const made: GPUBuffer[] = [];
  const buffer = (bytes: number, data?: Uint8Array) => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    made.push(b);
    if (data) device.queue.writeBuffer(b, 0, data as Uint8Array<ArrayBuffer>);
    return b;
  };
  try {
    const tensors: Record<string, GPUBuffer> = { a: buffer(input.byteLength, input), y: buffer(outBytes) };
    const consts = constants.map((c) => buffer(c.byteLength, c));
    const encoder = device.createCommandEncoder();
    for (const p of programs) {
      device.pushErrorScope('validation');
      const module = device.createShaderModule({ code: p.wgsl });
      const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } }).catch(async (e: Error) => {
        const info = await module.getCompilationInfo();
        return info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ') || e.message;
      });
      const invalid = await device.popErrorScope();
      if (typeof pipeline === 'string' || invalid) return `does not compile: ${typeof pipeline === 'string' ? pipeline : invalid!.message}`;
      const entries = p.bindings.map((bind, i) => ({ binding: i, resource: { buffer: 'tensor' in bind ? tensors[bind.tensor]! : 'constant' in bind ? consts[bind.constant]! : buffer(4) } }));
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
      pass.dispatchWorkgroups(...p.workgroups);
      pass.end();
    }
    const staging = device.createBuffer({ size: Math.ceil(outBytes / 16) * 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    made.push(staging);
    encoder.copyBufferToBuffer(tensors.y!, 0, staging, 0, staging.size);
    device.pushErrorScope('validation');
    device.queue.submit([encoder.finish()]);
    const invalid = await device.popErrorScope();
    if (invalid) return `does not run: ${invalid.message}`;
    await staging.mapAsync(GPUMapMode.READ);
    const bytes = new Uint8Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return bytes;
  } finally {
    for (const b of made) b.destroy();
  }
}
