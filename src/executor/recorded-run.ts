/// <reference types="@webgpu/types" />
// A run of a schedule with no CPU step records the same commands every time; only the values
// uploaded into its input buffers change. So as soon as one run is submitted, while the GPU works
// on it, the next run's command buffers are encoded and held (WebGPU cannot resubmit a command
// buffer, but it can hold one unsubmitted), and the next run only writes its inputs and submits:
// encoding, a few µs per dispatch (0.3–0.8 ms for a transformer's 100–200 dispatches on the H100
// host), leaves the critical path. The work is also cut into two submits so that the GPU starts on
// the first dispatches while the driver records the rest (Dawn records Vulkan commands at submit).
import type { GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import type { GpuSchedule, Transfer } from './gpu-schedule.js';
import { copyIn, copyOut } from './transfers.js';

/** A run's feeds already on the device, each copied into the schedule's input buffer first. */
export type DeviceFeedCopy = readonly [GpuTensor, Transfer];

/** Dispatches in the first of the two submits: enough GPU work to cover recording the rest. */
const HEAD = 16;

export interface RecordedRun {
  buffers: GPUCommandBuffer[];
  /** Device-to-device copies at engine boundaries. */
  deviceCopies: number;
}

/** Whether a schedule's runs can be recorded ahead: every step is a GPU dispatch list or an engine. */
export const recordable = (s: GpuSchedule): boolean => s.steps.every((st) => st.kind !== 'cpu');

const dispatchesOf = (s: GpuSchedule['steps'][number]) => (s.kind === 'engine' ? s.engine.dispatchCount : s.kind === 'gpu' ? s.dispatches.length : 0);

/** Encodes one run of a recordable schedule: feeds on the device copied in, outputs `back` copied to staging. */
export function encodeRun(device: GPUDevice, schedule: GpuSchedule, feeds: readonly DeviceFeedCopy[], back: readonly Transfer[]): RecordedRun {
  const total = schedule.steps.reduce((n, s) => n + dispatchesOf(s), 0);
  const head = total >= 2 * HEAD ? HEAD : total;
  const buffers: GPUCommandBuffer[] = [];
  let encoder = device.createCommandEncoder();
  let pass: GPUComputePassEncoder | undefined;
  let done = 0;
  let deviceCopies = feeds.length;
  for (const [from, to] of feeds) copyIn(encoder, from, to);
  const cut = () => {
    pass?.end();
    pass = undefined;
    buffers.push(encoder.finish());
    encoder = device.createCommandEncoder();
  };
  for (const step of schedule.steps) {
    if (step.kind === 'engine') {
      pass?.end();
      pass = undefined;
      const n = step.engine.dispatchCount;
      if (buffers.length === 0 && done < head && done + n > head) {
        step.engine.encode(encoder, step.inputs, step.outputs, [0, head - done]);
        deviceCopies += step.engine.deviceCopies;
        cut();
        step.engine.encode(encoder, step.inputs, step.outputs, [head - done, n]);
      } else {
        step.engine.encode(encoder, step.inputs, step.outputs);
      }
      deviceCopies += step.engine.deviceCopies;
    } else if (step.kind === 'gpu' && step.dispatches.length) {
      pass ??= encoder.beginComputePass();
      for (const d of step.dispatches) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(...d.workgroups);
      }
    }
    done += dispatchesOf(step);
    if (buffers.length === 0 && done >= head && done < total) cut();
  }
  pass?.end();
  for (const t of back) copyOut(encoder, t);
  buffers.push(encoder.finish());
  return { buffers, deviceCopies };
}

/** What a recorded run is valid for: the schedule, the kind of run, the device buffers its feeds come from. */
export interface RunKey {
  schedule: GpuSchedule;
  resident: boolean;
  feeds: readonly DeviceFeedCopy[];
}

const sameKey = (a: RunKey, b: RunKey) => a.schedule === b.schedule && a.resident === b.resident
  && a.feeds.length === b.feeds.length && a.feeds.every(([t], i) => t.buffer === b.feeds[i]![0].buffer);

/**
 * Holds the next run's command buffers, encoded ahead: one per schedule and kind of run (host or
 * resident), so runs alternating between shapes each find theirs. Weakly keyed: a schedule the
 * executor evicts takes its buffers with it.
 */
export class RunRecorder {
  private readonly held = new WeakMap<GpuSchedule, { key: RunKey; run: RecordedRun }[]>();

  /** The held buffers when they were recorded for this key (taken: held no more). */
  take(key: RunKey): RecordedRun | undefined {
    const list = this.held.get(key.schedule);
    const i = list?.findIndex((h) => sameKey(h.key, key)) ?? -1;
    return i < 0 ? undefined : list!.splice(i, 1)[0]!.run;
  }

  hold(key: RunKey, run: RecordedRun): void {
    const others = (this.held.get(key.schedule) ?? []).filter((h) => h.key.resident !== key.resident);
    this.held.set(key.schedule, [...others, { key, run }]);
  }

  /** Forgets what was held for a schedule (after a failed run). */
  drop(schedule: GpuSchedule): void {
    this.held.delete(schedule);
  }
}
