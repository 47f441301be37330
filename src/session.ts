/// <reference types="@webgpu/types" />
import { UsageError, UnsupportedError } from './errors.js';
import { sharedGpuDevice, type GpuDeviceOptions } from './devices/webgpu/device.js';
import { defaultGpu } from './devices/webgpu/provider.js';
import { CpuExecutor } from './executor/executor.js';
import { GpuExecutor, type GpuRunStats } from './executor/gpu-executor.js';
import type { Graph, OutputInfo, ValueInfo } from './ir/graph.js';
import './ops/index.js';
import type { Tensor } from './tensor/tensor.js';

export const DEVICES = ['cpu', 'webgpu'] as const;
export type DeviceName = (typeof DEVICES)[number];
export const ENGINES = ['none', 'webgpu'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface SessionOptions {
  /** Where the framework runs the graph (default cpu). */
  device?: DeviceName;
  /** Hand supported subgraphs to the optimizing engine (default none). */
  engine?: EngineName;
  /**
   * The WebGPU implementation for device 'webgpu': Dawn's in Node (src/node/webgpu.ts registers it
   * as the default), navigator.gpu in a page (the default when nothing is registered).
   */
  gpu?: GPU;
  /** Adapter and feature choices for device 'webgpu'. */
  gpuOptions?: GpuDeviceOptions;
}

/** Counters a session reports after a run. */
export interface SessionStats {
  nodes: number;
  peakBytes: number;
  /** Device↔host copies made for CPU fallbacks and engine boundaries. */
  transfers: number;
  /** Device 'webgpu': the nodes that fell back to the CPU (and why), pipelines compiled, submits. */
  webgpu?: Pick<GpuRunStats, 'fallbacks' | 'pipelines' | 'submits'>;
}

/** A model ready to run: the same call signature whatever device or engine is behind it. */
export interface Session {
  readonly graph: Graph;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly OutputInfo[];
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  stats(): SessionStats;
  dispose(): void;
}

export function checkSessionOptions(opts: SessionOptions): { device: DeviceName; engine: EngineName } {
  const device = opts.device ?? 'cpu';
  const engine = opts.engine ?? 'none';
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new UsageError(`unknown device '${device}'`, { hint: `choose one of ${DEVICES.join(', ')}` });
  }
  if (!(ENGINES as readonly string[]).includes(engine)) {
    throw new UsageError(`unknown engine '${engine}'`, { hint: `choose one of ${ENGINES.join(', ')}` });
  }
  return { device, engine };
}

/** Creates a session for a graph. The graph is verified and every node bound before returning. */
export async function createSession(graph: Graph, opts: SessionOptions = {}): Promise<Session> {
  const { device, engine } = checkSessionOptions(opts);
  if (engine !== 'none') {
    throw new UnsupportedError(`the ${engine} engine is not available in this version of nnrt`, { hint: 'run without --engine' });
  }
  if (device === 'webgpu') return createGpuSession(graph, opts);
  const exec = new CpuExecutor(graph);
  return {
    graph,
    inputs: exec.inputs,
    outputs: graph.outputs,
    async run(feeds) {
      return exec.run(feeds);
    },
    stats: () => ({ ...exec.lastStats, transfers: 0 }),
    dispose() {},
  };
}

async function createGpuSession(graph: Graph, opts: SessionOptions): Promise<Session> {
  const gpu = await sharedGpuDevice(opts.gpu ?? (await defaultGpu()), opts.gpuOptions);
  const exec = new GpuExecutor(graph, gpu);
  return {
    graph,
    inputs: exec.inputs,
    outputs: graph.outputs,
    run: (feeds) => exec.run(feeds),
    stats: () => {
      const { nodes, peakBytes, transfers, fallbacks, pipelines, submits } = exec.lastStats;
      return { nodes, peakBytes, transfers, webgpu: { fallbacks, pipelines, submits } };
    },
    dispose: () => exec.dispose(),
  };
}
