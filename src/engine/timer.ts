/// <reference types="@webgpu/types" />
// Times candidate tactics on the device. With timestamp-query the GPU reports the time between
// the start and end of a compute pass holding `reps` repetitions of the tactic's dispatches; without
// it, the wall time from submit to onSubmittedWorkDone (which includes the submit's overhead, the
// same for every candidate, so the ranking holds).
import type { GpuDevice } from '../devices/webgpu/device.js';

export interface TimedDispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class TacticTimer {
  private readonly querySet?: GPUQuerySet;
  private readonly resolve?: GPUBuffer;
  private readonly readback?: GPUBuffer;
  /** 'gpu timestamps' or 'wall clock': how times were taken, for the build log. */
  readonly method: string;
  private warmed = false;

  constructor(private readonly gpu: GpuDevice) {
    const device = gpu.device;
    if (gpu.features.has('timestamp-query')) {
      this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
      this.resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      this.readback = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      this.method = 'gpu timestamps';
    } else {
      this.method = 'wall clock';
    }
  }

  private encode(list: TimedDispatch[], reps: number, timestamps: boolean): GPUCommandBuffer {
    const encoder = this.gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass(timestamps && this.querySet
      ? { timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } }
      : {});
    for (let r = 0; r < reps; r++) {
      for (const d of list) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(...d.workgroups);
      }
    }
    pass.end();
    if (timestamps && this.querySet) {
      encoder.resolveQuerySet(this.querySet, 0, 2, this.resolve!, 0);
      encoder.copyBufferToBuffer(this.resolve!, 0, this.readback!, 0, 16);
    }
    return encoder.finish();
  }

  /**
   * Milliseconds per run of `list`, after warm-up; `reps` runs are measured together. The first
   * measurement of a timer keeps the GPU busy for ~25 ms first: an idle GPU runs at low clocks
   * and would time the first layers several times too slow (and rank them wrongly).
   */
  async time(list: TimedDispatch[], reps: number): Promise<number> {
    const queue = this.gpu.device.queue;
    const warmUntil = this.warmed ? 0 : now() + 25;
    this.warmed = true;
    do {
      queue.submit([this.encode(list, this.warmed && warmUntil === 0 ? 1 : 10, false)]);
      await queue.onSubmittedWorkDone();
    } while (now() < warmUntil);
    if (this.querySet) {
      queue.submit([this.encode(list, reps, true)]);
      await this.readback!.mapAsync(GPUMapMode.READ);
      const [start, end] = new BigInt64Array(this.readback!.getMappedRange().slice(0));
      this.readback!.unmap();
      const ns = Number(end! - start!);
      // Some drivers report 0 or negative spans for tiny work; fall back to wall time then.
      if (ns > 0) return ns / 1e6 / reps;
    }
    const t0 = now();
    queue.submit([this.encode(list, reps, false)]);
    await queue.onSubmittedWorkDone();
    return (now() - t0) / reps;
  }

  destroy(): void {
    this.querySet?.destroy();
    this.resolve?.destroy();
    this.readback?.destroy();
  }
}
