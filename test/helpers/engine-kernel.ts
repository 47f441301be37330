// Runs one engine tactic on a WebGPU device in isolation, for kernel tests: every tensor, constant
// and scratch binding gets its own buffer (the real runtime uses one arena; kernels cannot tell).
/// <reference types="@webgpu/types" />
import type { GpuDevice } from '../../src/devices/webgpu/device.js';
import { storageBytes } from '../../src/engine/kernels/access.js';
import { withEnables } from '../../src/devices/webgpu/storage.js';
import { fromPhysical, toPhysical } from '../../src/engine/kernels/layout-data.js';
import type { Tactic } from '../../src/engine/kernels/tactic.js';
import type { NetTensor } from '../../src/engine/network.js';
import { elementCount } from '../../src/tensor/shape.js';

const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const size4 = (n: number) => Math.max(16, Math.ceil(n / 16) * 16);

/**
 * Runs `tactic` with `inputs` (logical values by tensor name) and returns the logical values of
 * `outputs`. Tensors named in neither start zeroed.
 */
export async function runTactic(
  gpu: GpuDevice, tactic: Tactic, tensors: ReadonlyMap<string, NetTensor>,
  inputs: Record<string, Float32Array>, outputs: string[],
): Promise<Record<string, Float32Array>> {
  const device = gpu.device;
  const made: GPUBuffer[] = [];
  const buffer = (bytes: number, data?: Uint8Array) => {
    const b = device.createBuffer({ size: size4(bytes), usage: USAGE() });
    made.push(b);
    if (data) {
      const padded = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
      padded.set(data);
      device.queue.writeBuffer(b, 0, padded);
    }
    return b;
  };
  const tensorBuffers = new Map<string, GPUBuffer>();
  const tensorBuffer = (name: string) => {
    let b = tensorBuffers.get(name);
    if (!b) {
      const t = tensors.get(name);
      if (!t) throw new Error(`tactic binds unknown tensor ${name}`);
      const count = elementCount(t.shape);
      b = buffer(storageBytes(count, t.format.storage), inputs[name] ? toPhysical(inputs[name]!, t) : undefined);
      tensorBuffers.set(name, b);
    }
    return b;
  };
  for (const name of Object.keys(inputs)) tensorBuffer(name);
  const constants = tactic.constants.map((c) => buffer(c.byteLength, c));
  const scratch = tactic.scratch.map((s) => buffer(s));
  const encoder = device.createCommandEncoder();
  for (const p of tactic.programs) {
    const module = device.createShaderModule({ code: withEnables(p.wgsl) });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } }).catch(async (e) => {
      const info = await module.getCompilationInfo();
      throw new Error(`${tactic.name}: ${info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ') || e}\n${p.wgsl}`);
    });
    const entries = p.bindings.map((b, i) => ({
      binding: i,
      resource: { buffer: 'tensor' in b ? tensorBuffer(b.tensor) : 'constant' in b ? constants[b.constant]! : scratch[b.scratch]! },
    }));
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(...p.workgroups);
    pass.end();
  }
  const reads = outputs.map((name) => {
    const src = tensorBuffer(name);
    const staging = device.createBuffer({ size: src.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    made.push(staging);
    encoder.copyBufferToBuffer(src, 0, staging, 0, src.size);
    return { name, staging };
  });
  device.queue.submit([encoder.finish()]);
  const result: Record<string, Float32Array> = {};
  for (const { name, staging } of reads) {
    await staging.mapAsync(GPUMapMode.READ);
    result[name] = fromPhysical(new Uint8Array(staging.getMappedRange().slice(0)), tensors.get(name)!);
    staging.unmap();
  }
  for (const b of made) b.destroy();
  return result;
}

/**
 * One tactic of each kernel family (tiled product, its split-K form, GEMV, direct, depthwise...):
 * the tile shape only changes constants of the same code, so a case that varies an epilogue, a
 * format or a placement checks every code path with these. Each tactic costs a shader compile on
 * lavapipe (about a second of CPU); the exhaustive tile sweeps are separate tests.
 */
export function oneOfEachFamily<T extends { name: string }>(tactics: readonly T[]): T[] {
  const family = (name: string) => name.replace(/-\d+x\d+x\d+-r\d+x\d+/, '').replace(/-sk\d+$/, '-sk');
  const seen = new Set<string>();
  return tactics.filter((t) => !seen.has(family(t.name)) && !!seen.add(family(t.name)));
}
