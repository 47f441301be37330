/// <reference types="@webgpu/types" />
// A session with the engine on (MXNet's TensorRT integration): for each set of input shapes the
// graph is partitioned, every supported subgraph becomes one nnrt.Engine node built (or loaded
// from the plan store) for those shapes, and the framework's WebGPU executor runs the rest,
// recording engine work into its own command encoder so tensors never leave the device.
import type { GpuDevice } from '../devices/webgpu/device.js';
import type { EngineServiceOptions } from '../engine/service.js';
import { EngineService, type EngineRecord } from '../engine/service.js';
import { GpuExecutor, shapeDecidingInputs, type DeviceFeed } from '../executor/gpu-executor.js';
import { isGpuTensor } from '../devices/webgpu/gpu-tensor.js';
import { dataDependentNodes, splitAtDataDependent, staticPrefixGraph } from '../executor/gpu-stages.js';
import type { EngineStep } from '../executor/gpu-schedule.js';
import { Graph } from '../ir/graph.js';
import { bindShape, inferShapes } from '../ir/infer.js';
import { bindNode, opTyper } from '../ops/typer.js';
import { topoSort } from '../ir/topo.js';
import { checkPartitionOptions } from '../partition/options.js';
import { isEngineNode, partitionWithFallback, type PartitionResult, type WeightBytes } from '../partition/index.js';
import { backendSupport, backendVerifier } from './backends.js';
import { deviceCaps } from '../devices/webgpu/caps.js';
import { EngineRefusalError } from '../engine/refusal.js';
import { profileLayers, type EngineLayerTimes } from '../engine/layer-profile.js';
import { InputError, NnrtError, UsageError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

export interface EnginePartitionOptions {
  minSubgraphSize?: number;
  excludeOps?: readonly string[];
  excludeNodes?: readonly string[];
}

/** What the engine side of a session did, for stats and reports. */
export interface EngineStats {
  partition: PartitionResult;
  weightBytes: WeightBytes;
  /** Engines of the current shapes: built now or loaded from the plan store, with the time it took. */
  engines: { node: string; source: 'built' | 'cache'; buildMs: number; layers: number; arenaBytes: number; naiveBytes: number }[];
  /** Device-to-device copies at engine boundaries in the last run. */
  deviceCopies: number;
}

interface ShapeSetup {
  executor: GpuExecutor;
  partition: PartitionResult;
  weightBytes: WeightBytes;
  engineNodes: string[];
  records: Map<string, EngineRecord>;
}

export class EngineSession {
  private readonly setups = new Map<string, Promise<ShapeSetup>>();
  private readonly service: EngineService;
  private current?: ShapeSetup;

  constructor(
    readonly graph: Graph,
    readonly gpu: GpuDevice,
    private readonly partitionOpts: EnginePartitionOptions,
    serviceOpts: EngineServiceOptions,
    private readonly runOpts: { memoryBudget?: number } = {},
  ) {
    this.service = new EngineService(gpu, serviceOpts);
    // Fail on bad partition options now rather than at the first run.
    checkPartitionOptions(graph, { supports: backendSupport('webgpu'), backend: 'webgpu', ...partitionOpts });
    this.shapeFeeds = shapeDecidingInputs(graph, topoSort(graph).map((n) => bindNode(n, graph.opsets.get(n.domain))));
  }

  /** Graph inputs whose values (not only shapes) decide shapes: folded into the setup's graph. */
  private readonly shapeFeeds: Set<string>;

  get inputs() {
    return this.graph.inputs.filter((v) => !this.graph.initializers.has(v.name));
  }

  /** The setup for these input shapes (and values of shape-deciding inputs): partition, executor, engines. */
  private setupFor(shapes: Record<string, number[]>, fixed: Map<string, Tensor>): Promise<ShapeSetup> {
    const key = JSON.stringify([shapes, [...fixed].map(([n, t]) => [n, t.toNumbers()])]);
    let p = this.setups.get(key);
    if (!p) {
      p = (async () => {
        const graph = this.graph.clone();
        for (const [name, t] of fixed) graph.initializers.set(name, t);
        // Shapes after a data-dependent node (NonZero, Unique...) are known only at run time: the
        // engine takes subgraphs of the static part before them; the executor stages the rest.
        const order = topoSort(graph).map((n) => bindNode(n, graph.opsets.get(n.domain)));
        const cut = dataDependentNodes(graph, order);
        const split = cut.length ? splitAtDataDependent(graph, order, cut) : undefined;
        const target = split ? staticPrefixGraph(graph, split) : graph;
        const known = inferShapes(target, opTyper, shapes);
        const { partition, applied, fp32Layers, records } = await this.partitionAndBuild(target, known);
        const engineNodes = applied.engineNodes.map((n) => n.name);
        const runGraph = split ? withDynamicPart(graph, applied.graph, split.after) : applied.graph;
        const executor = new GpuExecutor(runGraph, this.gpu, async (node, inputShapes): Promise<EngineStep> => {
          if (!isEngineNode(node)) throw new Error(`node ${node.name} is not an engine node`);
          const record = await this.service.get(node.subgraph, inputShapes, fp32Layers);
          records.set(node.name, record);
          return record.context;
        }, this.runOpts);
        return { executor, partition, weightBytes: applied.weightBytes, engineNodes, records };
      })();
      this.setups.set(key, p);
      p.catch(() => this.setups.delete(key));
    }
    return p;
  }

  /**
   * Partitions with the dry build's fallbacks, then builds every engine now: a build that still
   * fails (a device limit, the memory budget) sends its nodes back to the framework and the graph
   * is partitioned again, so the engine never fails a run the framework can do.
   */
  private async partitionAndBuild(graph: Graph, known: ReturnType<typeof inferShapes>) {
    const o = this.service.opts;
    const verify = backendVerifier('webgpu', { precision: o.precision, layerPrecision: o.layerPrecision, memoryBudget: o.memoryBudget, caps: deviceCaps(this.gpu) });
    const failed = new Map<string, string>();
    const buildFallbacks: NonNullable<PartitionResult['fallbacks']> = [];
    for (;;) {
      const p = partitionWithFallback(graph, known, { supports: backendSupport('webgpu'), backend: 'webgpu', ...this.partitionOpts, fallbackNodes: failed }, verify);
      const records = new Map<string, EngineRecord>();
      let retry = false;
      for (const [k, node] of p.applied.engineNodes.entries()) {
        const inputShapes = Object.fromEntries(node.subgraph.inputs.map((v) => [v.name, v.shape.map(Number)]));
        try {
          records.set(node.name, await this.service.get(node.subgraph, inputShapes, p.fp32Layers));
        } catch (e) {
          if (!(e instanceof NnrtError) || e instanceof UsageError) throw e;
          const members = p.result.subgraphs[k]!.nodes;
          const named = e instanceof EngineRefusalError ? e.refusal.nodes.filter((n) => members.includes(n)) : [];
          const nodes = named.length ? named : members;
          for (const n of nodes) failed.set(n, `the engine build failed: ${e.message}`);
          buildFallbacks.push({ nodes, reason: e.message, action: 'framework' });
          this.service.opts.warn?.(`engine build for ${nodes.length} node${nodes.length === 1 ? '' : 's'} failed (${e.message}); they run in the framework`);
          retry = true;
        }
      }
      if (!retry) return { ...p, partition: { ...p.result, fallbacks: [...buildFallbacks, ...(p.result.fallbacks ?? [])] }, records };
    }
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const { executor, rest } = await this.prepare(feeds);
    return executor.run(rest as Record<string, Tensor>);
  }

  /** As `run`, with inputs that may be on the device and outputs left there (see GpuExecutor.runOnDevice). */
  async runOnDevice(feeds: Record<string, DeviceFeed>): Promise<Record<string, DeviceFeed>> {
    const { executor, rest } = await this.prepare(feeds);
    return executor.runOnDevice(rest);
  }

  /** The executor for these feeds' shapes, and the feeds it takes. */
  private async prepare(feeds: Record<string, DeviceFeed>): Promise<{ executor: GpuExecutor; rest: Record<string, DeviceFeed> }> {
    const shapes = Object.fromEntries(this.inputs.map((v) => [v.name, feeds[v.name] ? bindShape(v, feeds[v.name]!.shape) : v.shape.map(Number)]));
    const fixed = new Map([...this.shapeFeeds].filter((n) => feeds[n]).map((n) => {
      const t = feeds[n]!;
      if (isGpuTensor(t)) throw new InputError(`input '${n}' decides shapes inside the graph: pass it as a host tensor`);
      return [n, t];
    }));
    const setup = await this.setupFor(shapes, fixed);
    this.current = setup;
    // values folded into the setup's graph are no longer its inputs
    const rest = fixed.size ? Object.fromEntries(Object.entries(feeds).filter(([n]) => !fixed.has(n))) : feeds;
    return { executor: setup.executor, rest };
  }

  get executor(): GpuExecutor | undefined {
    return this.current?.executor;
  }

  engineStats(): EngineStats | undefined {
    const setup = this.current;
    if (!setup) return undefined;
    return {
      partition: setup.partition,
      weightBytes: setup.weightBytes,
      engines: [...setup.records].map(([node, r]) => ({
        node, source: r.source, buildMs: r.buildMs,
        layers: r.engine.plan.layers.length, arenaBytes: r.engine.plan.arenaBytes, naiveBytes: r.engine.plan.naiveBytes,
      })),
      deviceCopies: setup.executor.lastStats.deviceCopies,
    };
  }

  /** Per-layer GPU times of every engine of the last run's setup (none before a run). */
  async layerTimes(reps?: number): Promise<EngineLayerTimes[]> {
    const out: EngineLayerTimes[] = [];
    for (const [engine, r] of this.current?.records ?? []) out.push({ engine, ...(await profileLayers(r.context, reps)) });
    return out;
  }

  dispose(): void {
    void Promise.all([...this.setups.values()].map((p) => p.then((s) => s.executor.dispose(), () => {})));
    this.service.dispose();
  }
}

/** The partitioned static part with the data-dependent part appended: the whole graph again. */
function withDynamicPart(graph: Graph, staticPart: Graph, after: readonly Graph['nodes'][number][]): Graph {
  const initializers = new Map(staticPart.initializers);
  for (const n of after) for (const i of n.inputs) if (i && graph.initializers.has(i)) initializers.set(i, graph.initializers.get(i)!);
  return new Graph({
    name: graph.name, nodes: [...staticPart.nodes, ...after], inputs: graph.inputs, outputs: graph.outputs,
    initializers, opsets: graph.opsets, onnxTypes: graph.onnxTypes,
  });
}
