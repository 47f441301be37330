/// <reference types="@webgpu/types" />
// Runs each candidate tactic of a layer on scratch buffers and measures it. A tactic whose shader
// fails to compile is dropped (time Infinity) rather than failing the build; the build fails only
// when no candidate compiles.
import { DeviceError } from '../errors.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { fnv1a64 } from '../ir/hash.js';
import { storageBytes } from './kernels/access.js';
import type { EngineProgram, KernelContext, Tactic } from './kernels/tactic.js';
import { elementCount } from '../tensor/shape.js';
import type { TacticTimer, TimedDispatch } from './timer.js';

const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
const words = (n: number) => Math.max(16, Math.ceil(n / 4) * 4);

/** The compute pipeline of an engine program, shared through the device's pipeline cache. */
export function enginePipeline(gpu: GpuDevice, wgsl: string): Promise<GPUComputePipeline> {
  return gpu.pipelines.get(`engine:${fnv1a64(new TextEncoder().encode(wgsl))}`, () => wgsl);
}

async function timeOne(gpu: GpuDevice, timer: TacticTimer, tactic: Tactic, ctx: KernelContext): Promise<number> {
  const device = gpu.device;
  const made: GPUBuffer[] = [];
  const buffer = (bytes: number, data?: Uint8Array) => {
    const b = device.createBuffer({ size: words(bytes), usage: USAGE() });
    made.push(b);
    if (data && data.byteLength % 4 === 0) device.queue.writeBuffer(b, 0, data as Uint8Array<ArrayBuffer>);
    return b;
  };
  try {
    const tensors = new Map<string, GPUBuffer>();
    const tensorBuffer = (name: string) => {
      let b = tensors.get(name);
      if (!b) {
        const t = ctx.tensors.get(name)!;
        b = buffer(storageBytes(elementCount(t.shape), t.format.storage));
        tensors.set(name, b);
      }
      return b;
    };
    const constants = tactic.constants.map((c) => buffer(c.byteLength, c));
    const scratch = tactic.scratch.map((s) => buffer(s));
    const list: TimedDispatch[] = [];
    for (const p of tactic.programs as EngineProgram[]) {
      const pipeline = await enginePipeline(gpu, p.wgsl);
      const entries = p.bindings.map((b, i) => ({
        binding: i,
        resource: { buffer: 'tensor' in b ? tensorBuffer(b.tensor) : 'constant' in b ? constants[b.constant]! : scratch[b.scratch]! },
      }));
      list.push({ pipeline, bindGroup: device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }), workgroups: p.workgroups });
    }
    let ms = await timer.time(list, 3);
    if (ms < 0.2) ms = await timer.time(list, 20);
    return ms;
  } finally {
    await device.queue.onSubmittedWorkDone();
    for (const b of made) b.destroy();
  }
}

/** Milliseconds per run of each tactic (Infinity for one that does not compile). */
export async function timeTactics(gpu: GpuDevice, timer: TacticTimer, tactics: Tactic[], ctx: KernelContext, layer: string): Promise<number[]> {
  const times: number[] = [];
  const errors: string[] = [];
  // every candidate's pipelines start compiling now, together (the builder starts them for all
  // layers at once; a caller timing one layer alone gets the same): the device compiles
  // asynchronous pipelines on worker threads where it has them (Dawn), so the candidates timed
  // later are ready or nearly; a failure here is seen again, and reported, when that candidate is timed
  for (const t of tactics) for (const p of t.programs as EngineProgram[]) enginePipeline(gpu, p.wgsl).catch(() => undefined);
  for (const t of tactics) {
    try {
      times.push(await timeOne(gpu, timer, t, ctx));
    } catch (e) {
      gpu.checkAlive();
      errors.push(`${t.name}: ${(e as Error).message}`);
      times.push(Infinity);
    }
  }
  if (times.every((t) => t === Infinity)) {
    throw new DeviceError(`no tactic of layer '${layer}' compiled: ${errors.join('; ')}`, { where: `layer ${layer}` });
  }
  return times;
}
