// Subgraphs (If's branches, Loop's and Scan's bodies) on WebGPU. A body reads its formal inputs and
// values of the enclosing graphs by name; here it becomes a graph of its own whose inputs are both,
// run by a GPU executor (per kinds, dtypes and ranks of what it is fed; dims stay free, so shapes
// are planned per run like any graph). Device tensors go in and come out as they are: only values
// that decide shapes inside the body are read back, each counted as a transfer.
import { ExecutionError } from '../errors.js';
import { Graph, type ValueInfo } from '../ir/graph.js';
import { outerReferences } from '../ir/subgraph.js';
import { isGpuTensor, type GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import { Tensor } from '../tensor/tensor.js';
import { OptionalValue, type Value } from '../tensor/value.js';
import type { GpuRunStats } from './gpu-executor.js';

/** A value inside a GPU run: a host value, or a tensor on the device. */
export type DeviceValue = Value | GpuTensor;

/** What a stage, a branch or a body needs of a GPU executor. */
export interface ChainedExecutor {
  readonly inputs: ValueInfo[];
  readonly lastStats: GpuRunStats;
  readonly shapeInputs: ReadonlySet<string>;
  runChained(feeds: Record<string, DeviceValue>): Promise<Record<string, DeviceValue>>;
  dispose(): void;
}

export const emptyStats = (): GpuRunStats => ({ nodes: 0, peakBytes: 0, transfers: 0, fallbacks: [], pipelines: 0, submits: 0, deviceCopies: 0 });

/** Adds the stats of one run into a total (a node falling back in every iteration is listed once). */
export function addStats(total: GpuRunStats, s: GpuRunStats): void {
  total.nodes += s.nodes;
  total.peakBytes = Math.max(total.peakBytes, s.peakBytes);
  total.transfers += s.transfers;
  for (const f of s.fallbacks) {
    if (!total.fallbacks.some((g) => g.node === f.node && g.reason === f.reason)) total.fallbacks.push(f);
  }
  total.pipelines = Math.max(total.pipelines, s.pipelines);
  total.submits += s.submits;
  total.deviceCopies += s.deviceCopies;
}

/** The type of a value made at run time, as the input of a graph run after it (tensor dims left free). */
export function valueInfoOf(name: string, v: DeviceValue): ValueInfo {
  if (v instanceof Tensor || isGpuTensor(v)) return { name, dtype: v.dtype, shape: v.shape.map((_, d) => `${name}_d${d}`) };
  const kind = v instanceof OptionalValue ? (v.elem === 'sequence' ? 'optional-sequence' : 'optional') : 'sequence';
  return { name, dtype: v.elemDtype, shape: [], kind };
}

/** Reads a device tensor back for the host (one transfer); host values pass through. */
export async function toHost(v: DeviceValue, stats: GpuRunStats): Promise<Value> {
  if (!isGpuTensor(v)) return v;
  stats.transfers++;
  return v.read();
}

/**
 * Runs `exec` on `feeds` inside a GPU run, adding its stats into `stats`. Device tensors fed where
 * values decide shapes inside the graph are read back first (a transfer each).
 */
export async function runChained(exec: ChainedExecutor, feeds: Record<string, DeviceValue>, stats: GpuRunStats): Promise<Record<string, DeviceValue>> {
  const given = { ...feeds };
  for (const name of exec.shapeInputs) {
    const v = given[name];
    if (v !== undefined && isGpuTensor(v)) given[name] = await toHost(v, stats);
  }
  const out = await exec.runChained(given);
  addStats(stats, exec.lastStats);
  return out;
}

/** One subgraph attribute of a node, run on the GPU. */
export class GpuSubgraph {
  /** Values of the enclosing graphs the subgraph reads (nested subgraphs' references included). */
  readonly outer: string[];
  private readonly executors = new Map<string, ChainedExecutor>();

  /** `constants`: the enclosing graph's initializers, which become the subgraph's own (device constants, uploaded once). */
  constructor(
    readonly body: Graph, private readonly constants: ReadonlyMap<string, Tensor>,
    private readonly make: (g: Graph) => ChainedExecutor,
  ) {
    this.outer = outerReferences(body);
  }

  /** Runs the subgraph on `inputs` (its formal inputs, in order); `scope` gives enclosing values. Returns its outputs in order. */
  async call(inputs: readonly (DeviceValue | undefined)[], scope: (name: string) => DeviceValue | undefined, stats: GpuRunStats): Promise<DeviceValue[]> {
    const feeds: Record<string, DeviceValue> = {};
    this.body.inputs.forEach((v, k) => {
      const x = inputs[k];
      if (x !== undefined && !this.body.initializers.has(v.name)) feeds[v.name] = x;
    });
    for (const name of this.outer) {
      if (this.constants.has(name)) continue;
      const v = scope(name);
      if (v === undefined) throw new ExecutionError(`the subgraph '${this.body.name}' reads '${name}', which has no value in the enclosing graph`);
      feeds[name] = v;
    }
    const out = await runChained(this.executorFor(feeds), feeds, stats);
    return this.body.outputs.map((o) => {
      const v = out[o.name];
      if (v === undefined) throw new ExecutionError(`subgraph output '${o.name}' has no value`);
      return v;
    });
  }

  dispose(): void {
    for (const e of this.executors.values()) e.dispose();
    this.executors.clear();
  }

  private executorFor(feeds: Record<string, DeviceValue>): ChainedExecutor {
    const infos = Object.entries(feeds).map(([name, v]) => valueInfoOf(name, v));
    const key = JSON.stringify(infos.map((v) => [v.name, v.kind ?? 'tensor', v.dtype, v.shape.length]));
    let exec = this.executors.get(key);
    if (!exec) {
      const initializers = new Map(this.body.initializers);
      for (const name of this.outer) {
        const t = this.constants.get(name);
        if (t) initializers.set(name, t);
      }
      const g = new Graph({
        name: this.body.name, nodes: this.body.nodes, inputs: infos,
        outputs: this.body.outputs.map((o) => ({ name: o.name, ...(o.kind ? { kind: o.kind } : {}) })),
        initializers, opsets: this.body.opsets, onnxTypes: this.body.onnxTypes,
      });
      exec = this.make(g);
      this.executors.set(key, exec);
    }
    return exec;
  }
}
