/// <reference types="@webgpu/types" />
// Buffer-to-buffer work that control flow does on the device between body runs: snapshots of
// loop-carried values, slices of scan inputs, scan outputs stacked along a new axis, and the
// transposes that bring a scan axis to the front and back. Every element takes 4 bytes on the
// device (dtype.ts), so a slice along the first axis is one contiguous byte range.
import { Graph } from '../ir/graph.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { DEVICE_BYTES_PER_ELEMENT } from '../devices/webgpu/dtype.js';
import { gpuTensorView, isGpuTensor, type GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import type { DType } from '../tensor/dtype.js';
import { elementCount } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { toDeviceData } from '../devices/webgpu/dtype.js';
import type { GpuRunStats } from './gpu-executor.js';
import { runChained, type ChainedExecutor } from './gpu-subgraph.js';

export const deviceBytes = (shape: readonly number[]) => elementCount(shape) * DEVICE_BYTES_PER_ELEMENT;

/**
 * Device buffers a control-flow node hands out as its results: taken from the device pool and
 * given back when the node runs again (a node's results are dead by then: an enclosing Loop
 * snapshots what it carries over).
 */
export class HeldBuffers {
  private held: GPUBuffer[] = [];
  private temps: GPUBuffer[] = [];
  constructor(private readonly gpu: GpuDevice) {}

  /** A device tensor of `dtype` and `shape` in a fresh pool buffer. */
  tensor(dtype: DType, shape: readonly number[]): GpuTensor {
    const buffer = this.gpu.pool.acquire(Math.max(DEVICE_BYTES_PER_ELEMENT, deviceBytes(shape)));
    this.held.push(buffer);
    return gpuTensorView(this.gpu, dtype, [...shape], buffer);
  }

  /** A device tensor in a pool buffer of the same run only: given back by `releaseScratch`. */
  scratch(dtype: DType, shape: readonly number[]): GpuTensor {
    const buffer = this.gpu.pool.acquire(Math.max(DEVICE_BYTES_PER_ELEMENT, deviceBytes(shape)));
    this.temps.push(buffer);
    return gpuTensorView(this.gpu, dtype, [...shape], buffer);
  }

  /** Gives back the scratch buffers once the work reading them is submitted (the queue keeps the order). */
  releaseScratch(): void {
    for (const b of this.temps) this.gpu.pool.release(b);
    this.temps = [];
  }

  /** Gives back what the last run of the node handed out (work already submitted still finishes first). */
  releaseAll(): void {
    this.releaseScratch();
    for (const b of this.held) this.gpu.pool.release(b);
    this.held = [];
  }
}

/** Copies between device buffers (and host tensors written into them), submitted together. */
export class CopyBatch {
  private encoder?: GPUCommandEncoder;
  constructor(private readonly gpu: GpuDevice, private readonly stats: GpuRunStats) {}

  /** Copies `bytes` of `from` at `fromOffset` into `to` at `toOffset`. */
  copy(from: GPUBuffer, fromOffset: number, to: GPUBuffer, toOffset: number, bytes: number): void {
    if (bytes === 0 || (from === to && fromOffset === toOffset)) return;
    this.encoder ??= this.gpu.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(from, fromOffset, to, toOffset, bytes);
    this.stats.deviceCopies++;
  }

  /** Writes a host tensor into `to` at `toOffset` (a host-to-device transfer). */
  write(t: Tensor, to: GPUBuffer, toOffset: number): void {
    this.submit(); // keep the order of copies already recorded
    const data = toDeviceData(t, 'a control-flow value');
    if (data.byteLength) this.gpu.device.queue.writeBuffer(to, toOffset, data.buffer, data.byteOffset, data.byteLength);
    this.stats.transfers++;
  }

  /** Places `v` (a device or host tensor) at `toOffset` of `to`. */
  place(v: GpuTensor | Tensor, to: GPUBuffer, toOffset: number): void {
    if (isGpuTensor(v)) this.copy(v.buffer, 0, to, toOffset, deviceBytes(v.shape));
    else this.write(v, to, toOffset);
  }

  submit(): void {
    if (!this.encoder) return;
    this.gpu.device.queue.submit([this.encoder.finish()]);
    this.stats.submits++;
    this.encoder = undefined;
  }
}

/** Transposes device tensors with the Transpose kernel, through one-node executors kept per permutation. */
export class DeviceTranspose {
  private readonly executors = new Map<string, ChainedExecutor>();
  constructor(private readonly make: (g: Graph) => ChainedExecutor) {}

  /** `slot` names the use (one executor each: a result stays valid until its slot runs again). */
  async run(x: GpuTensor, perm: readonly number[], slot: string, stats: GpuRunStats): Promise<GpuTensor | Tensor> {
    if (perm.every((p, i) => p === i)) return x;
    const key = JSON.stringify([slot, x.dtype, perm]);
    let exec = this.executors.get(key);
    if (!exec) {
      const g = new Graph({
        name: 'transpose',
        inputs: [{ name: 'x', dtype: x.dtype, shape: x.shape.map((_, d) => `d${d}`) }],
        nodes: [{ name: 'transpose', opType: 'Transpose', domain: '', inputs: ['x'], outputs: ['y'], attrs: { perm: { type: 'ints', value: [...perm] } } }],
        outputs: [{ name: 'y' }],
      });
      exec = this.make(g);
      this.executors.set(key, exec);
    }
    const out = await runChained(exec, { x }, stats);
    return out.y as GpuTensor | Tensor;
  }

  dispose(): void {
    for (const e of this.executors.values()) e.dispose();
    this.executors.clear();
  }
}

/** The permutation that moves axis `from` of a rank-`rank` tensor to position `to`. */
export function moveAxis(rank: number, from: number, to: number): number[] {
  const rest = [...Array(rank).keys()].filter((d) => d !== from);
  rest.splice(to, 0, from);
  return rest;
}
