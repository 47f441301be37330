/// <reference types="@webgpu/types" />
// Per-layer GPU times of a loaded engine (`nnrt bench --layer-times`): where an inference's time
// goes. With timestamp-query each layer's dispatches run in a compute pass of their own with
// timestamps at its start and end, all layers in one command buffer, `reps` times; the whole
// engine is also timed as the runtime runs it (every dispatch in one pass), so the sum of the
// layers can be checked against it (the per-layer sum is a little higher: each pass boundary
// drains the GPU). Without timestamp-query each layer is timed by wall clock around its own
// submit (submit overhead included: the note says so). The arena's contents are whatever the last
// inference left: kernels do the same work whatever the values.
import type { ExecutionContext } from './runtime.js';

export interface LayerTime {
  name: string;
  kind: string;
  tactic: string;
  /** IR nodes the layer covers. */
  from: string[];
  /** Median milliseconds per inference. */
  ms: number;
  /** ms ÷ the sum over layers. */
  share: number;
  /** A layer of several programs (attention's two products and softmax): each one's median ms, timed alone. */
  programs?: number[];
}

export interface EngineLayerProfile {
  /** 'gpu timestamps' or 'wall clock (each layer submitted alone: submit overhead included)'. */
  method: string;
  /** Layers that run a program, slowest first (views and in-place concats run nothing). */
  layers: LayerTime[];
  /** Sum of the layers' medians. */
  layerSumMs: number;
  /** Median of the whole engine run as one compute pass, timed the same way. */
  engineMs: number;
  reps: number;
}

/** One engine's profile, named by its engine node ('engine_0'). */
export interface EngineLayerTimes extends EngineLayerProfile {
  engine: string;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

type Dispatch = ReturnType<ExecutionContext['dispatchList']>[number];

/** Times every layer of `context`'s engine `reps` times (after one untimed round); medians. */
export async function profileLayers(context: ExecutionContext, reps = 10): Promise<EngineLayerProfile> {
  const { gpu, plan } = context.engine;
  const device = gpu.device;
  const groups = new Map<number, Dispatch[]>();
  for (const d of context.dispatchList()) groups.set(d.layer, [...(groups.get(d.layer) ?? []), d]);
  const layerIds = [...groups.keys()];
  const all = context.dispatchList();
  const samples = new Map<number, number[]>(layerIds.map((l) => [l, []]));
  const engineSamples: number[] = [];
  const encodePass = (encoder: GPUCommandEncoder, list: Dispatch[], timestampWrites?: GPUComputePassTimestampWrites) => {
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    for (const d of list) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(...d.workgroups);
    }
    pass.end();
  };
  const timestamps = gpu.features.has('timestamp-query');
  // layers of several programs also time each program in a pass of its own (after the layers)
  const parts = layerIds.flatMap((l) => (groups.get(l)!.length > 1 ? groups.get(l)!.map((d) => ({ l, d })) : []));
  const partSamples = parts.map((): number[] => []);
  if (timestamps) {
    // slots 2k, 2k+1: layer k, then each program of a multi-program layer; the last two: the whole engine in one pass
    const units = layerIds.length + parts.length;
    const count = 2 * (units + 1);
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolve = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const readback = device.createBuffer({ size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      for (let r = -1; r < reps; r++) {
        const encoder = device.createCommandEncoder();
        layerIds.forEach((l, k) => encodePass(encoder, groups.get(l)!, { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 }));
        parts.forEach(({ d }, i) => {
          const k = layerIds.length + i;
          encodePass(encoder, [d], { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 });
        });
        encodePass(encoder, all, { querySet, beginningOfPassWriteIndex: count - 2, endOfPassWriteIndex: count - 1 });
        encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
        encoder.copyBufferToBuffer(resolve, 0, readback, 0, count * 8);
        device.queue.submit([encoder.finish()]);
        await readback.mapAsync(GPUMapMode.READ);
        const t = new BigInt64Array(readback.getMappedRange().slice(0));
        readback.unmap();
        if (r < 0) continue; // warm-up round
        const span = (k: number) => Math.max(0, Number(t[2 * k + 1]! - t[2 * k]!)) / 1e6;
        layerIds.forEach((l, k) => samples.get(l)!.push(span(k)));
        parts.forEach((_, i) => partSamples[i]!.push(span(layerIds.length + i)));
        engineSamples.push(span(units));
      }
    } finally {
      querySet.destroy();
      resolve.destroy();
      readback.destroy();
    }
  } else {
    const timed = async (list: Dispatch[]) => {
      const t0 = now();
      const encoder = device.createCommandEncoder();
      encodePass(encoder, list);
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      return now() - t0;
    };
    for (let r = -1; r < reps; r++) {
      for (const l of layerIds) {
        const ms = await timed(groups.get(l)!);
        if (r >= 0) samples.get(l)!.push(ms);
      }
      for (const [i, { d }] of parts.entries()) {
        const ms = await timed([d]);
        if (r >= 0) partSamples[i]!.push(ms);
      }
      const ms = await timed(all);
      if (r >= 0) engineSamples.push(ms);
    }
  }
  const times = layerIds.map((l) => ({ l, ms: median(samples.get(l)!) }));
  const layerSumMs = times.reduce((a, t) => a + t.ms, 0);
  const layers = times.map(({ l, ms }): LayerTime => {
    const p = plan.layers[l]!;
    const programs = parts.flatMap((x, i) => (x.l === l ? [median(partSamples[i]!)] : []));
    return { name: p.name, kind: p.kind, tactic: p.tactic, from: [...p.from], ms, share: layerSumMs > 0 ? ms / layerSumMs : 0, ...(programs.length ? { programs } : {}) };
  }).sort((a, b) => b.ms - a.ms);
  return {
    method: timestamps ? 'gpu timestamps' : 'wall clock (each layer submitted alone: submit overhead included)',
    layers, layerSumMs, engineMs: median(engineSamples), reps,
  };
}
