import { UsageError, UnsupportedError } from './errors.js';
import { CpuExecutor } from './executor/executor.js';
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
}

/** Counters a session reports after a run. */
export interface SessionStats {
  nodes: number;
  peakBytes: number;
  /** Device↔host copies made for CPU fallbacks and engine boundaries. */
  transfers: number;
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

export function checkSessionOptions(opts: SessionOptions): Required<SessionOptions> {
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
  if (device !== 'cpu') {
    throw new UnsupportedError(`the ${device} device is not available in this version of nnrt`, { hint: 'use --device cpu' });
  }
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
