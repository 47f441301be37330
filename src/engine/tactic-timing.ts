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

/** Rounds of measurements per candidate, taken in turn (see timeTactics). */
const ROUNDS = 3;
/** Candidates within this factor of the best are measured once more, in reverse order. */
const NEAR_BEST = 3;

/** A candidate's dispatches bound to buffers of its own (constants, scratch) and of the layer (tensors). */
async function prepare(gpu: GpuDevice, tactic: Tactic, tensorBuffer: (name: string) => GPUBuffer, buffer: (bytes: number, data?: Uint8Array) => GPUBuffer): Promise<TimedDispatch[]> {
  const device = gpu.device;
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
  return list;
}

/**
 * Milliseconds per run of each tactic (Infinity for one that does not compile). The candidates are
 * measured in turn, ROUNDS times over, and each keeps its best: a GPU's clock rises in steps over
 * the first seconds of load, and timing one candidate fully before the next ranked the early ones
 * at a lower clock (an H100 build took a flash-attention kernel 2.3× slower than it runs, then
 * preferred it in another build where the ramp fell differently). A step during the last round
 * still favours the candidates measured after it (an H100 ResNet-50 fp16 build then kept SIMT
 * convolutions at 0.35 ms over tensor-core ones that run in 0.12), so the candidates near the best
 * are measured once more in reverse order.
 */
export async function timeTactics(gpu: GpuDevice, timer: TacticTimer, tactics: Tactic[], ctx: KernelContext, layer: string): Promise<number[]> {
  const device = gpu.device;
  const errors: string[] = [];
  // every candidate's pipelines start compiling now, together: the device compiles asynchronous
  // pipelines on worker threads where it has them (Dawn); a failure is reported when it is prepared
  for (const t of tactics) for (const p of t.programs as EngineProgram[]) enginePipeline(gpu, p.wgsl).catch(() => undefined);
  const made: GPUBuffer[] = [];
  const buffer = (bytes: number, data?: Uint8Array) => {
    const b = device.createBuffer({ size: words(bytes), usage: USAGE() });
    made.push(b);
    if (data && data.byteLength % 4 === 0) device.queue.writeBuffer(b, 0, data as Uint8Array<ArrayBuffer>);
    return b;
  };
  // the layer's tensors are the same for every candidate: one buffer each
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
  try {
    const lists: (TimedDispatch[] | undefined)[] = [];
    for (const t of tactics) {
      try {
        lists.push(await prepare(gpu, t, tensorBuffer, buffer));
      } catch (e) {
        gpu.checkAlive();
        errors.push(`${t.name}: ${(e as Error).message}`);
        lists.push(undefined);
      }
    }
    const times = lists.map(() => Infinity);
    const reps = lists.map(() => 3);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, list] of lists.entries()) {
        if (!list) continue;
        let ms: number;
        try {
          ms = await timer.time(list, reps[i]!);
        } catch (e) {
          gpu.checkAlive();
          errors.push(`${tactics[i]!.name}: ${(e as Error).message}`);
          lists[i] = undefined;
          times[i] = Infinity;
          continue;
        }
        // short work is measured over more repetitions from the next round on
        if (round === 0 && ms < 0.2) reps[i] = 20;
        times[i] = Math.min(times[i]!, ms);
      }
    }
    const best = Math.min(...times);
    for (let i = lists.length - 1; i >= 0; i--) {
      const list = lists[i];
      if (!list || !(times[i]! <= NEAR_BEST * best)) continue;
      try {
        times[i] = Math.min(times[i]!, await timer.time(list, reps[i]!));
      } catch (e) {
        gpu.checkAlive();
        errors.push(`${tactics[i]!.name}: ${(e as Error).message}`);
        times[i] = Infinity;
      }
    }
    if (times.every((t) => t === Infinity)) {
      throw new DeviceError(`no tactic of layer '${layer}' compiled: ${errors.join('; ')}`, { where: `layer ${layer}` });
    }
    return times;
  } finally {
    await device.queue.onSubmittedWorkDone();
    for (const b of made) b.destroy();
  }
}
