/// <reference types="@webgpu/types" />
// A session with the engine on (MXNet's TensorRT integration): for each set of input shapes the
// graph is partitioned, every supported subgraph becomes one nnrt.Engine node built (or loaded
// from the plan store) for those shapes, and the framework's WebGPU executor runs the rest,
// recording engine work into its own command encoder so tensors never leave the device.
import type { GpuDevice } from '../devices/webgpu/device.js';
import type { EngineServiceOptions } from '../engine/service.js';
import { EngineService, type EngineRecord } from '../engine/service.js';
import { GpuExecutor, type DeviceFeed, type RunOnDeviceOptions } from '../executor/gpu-executor.js';
import { shapeDecidingInputs } from '../executor/shape-deciding-inputs.js';
import { isGpuTensor } from '../devices/webgpu/gpu-tensor.js';
import { dataDependentNodes, splitAtDataDependent, staticPrefixGraph } from '../executor/gpu-stages.js';
import type { EngineStep } from '../executor/gpu-schedule.js';
import { Graph } from '../ir/graph.js';
import { bindShape, inferShapes } from '../ir/infer.js';
import { bindNode, opTyper } from '../ops/typer.js';
import { topoSort } from '../ir/topo.js';
import { checkPartitionOptions } from '../partition/options.js';
import { isEngineNode, type PartitionResult, type WeightBytes } from '../partition/index.js';
import { backendSupport, backendVerifier } from './backends.js';
import { driveAsync, partitionAndBuild, type NodeBuild } from './partition-and-build.js';
import { deviceCaps } from '../devices/webgpu/caps.js';
import { profileLayers, type EngineLayerTimes } from '../engine/layer-profile.js';
import { InputError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { findProfile, outsideProfilesError, pointProfile, profileShapes, type ProfilePoint, type ShapeProfile } from '../engine/profile.js';
import { generalizeEngineNode, variesInProfile, type ProfileKnown } from './profile-subgraphs.js';
import { checkSessionProfiles, checkEngineInputs, describeShapes, optOf } from './session-profiles.js';

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
  engines: {
    node: string; source: 'built' | 'cache'; buildMs: number; layers: number; arenaBytes: number; naiveBytes: number;
    /** cpu engines: the layers that run lowered (the framework's kernels on their ONNX lowering). */
    lowered?: string[];
  }[];
  /** Device-to-device copies at engine boundaries in the last run. */
  deviceCopies: number;
  /** Engine plans built (tactics timed) and loaded from the plan store since the session began. */
  builds: number;
  loads: number;
  /** Partitions made: one per profile (or, without profiles, per set of input shapes). */
  partitions: number;
  /** Profile engines re-instantiated at another shape in range (no import into the partitioner, no timing), and the time it took. */
  specializations: number;
  specializationMs: number;
  /** The session's optimization profiles (including any built for new shapes), and which one the last run used. */
  profiles: ShapeProfile[];
  profile?: number;
}

/** What a session's engine records give `stats().engine.engines` (both backends). */
export interface EngineRecordView {
  source: 'built' | 'cache';
  buildMs: number;
  engine: { plan: { layers: readonly unknown[]; arenaBytes: number; naiveBytes: number }; loweredLayers?: string[] };
}

export function engineEntries(records: ReadonlyMap<string, EngineRecordView>): EngineStats['engines'] {
  return [...records].map(([node, r]) => ({
    node, source: r.source, buildMs: r.buildMs,
    layers: r.engine.plan.layers.length, arenaBytes: r.engine.plan.arenaBytes, naiveBytes: r.engine.plan.naiveBytes,
    ...(r.engine.loweredLayers ? { lowered: r.engine.loweredLayers } : {}),
  }));
}

/** What an engine session does with shapes: profiles, and what happens outside them. */
export interface ShapeOptions {
  profiles?: readonly ShapeProfile[];
  /** Outside every profile: 'error' (default: a ProfileError) or 'build' (a new profile for that shape, announced through warn). */
  onNewShape?: 'error' | 'build';
}

interface ShapeSetup {
  executor: GpuExecutor;
  partition: PartitionResult;
  weightBytes: WeightBytes;
  engineNodes: string[];
  records: Map<string, EngineRecord>;
  profile?: number;
}

export class EngineSession {
  private readonly setups = new Map<string, Promise<ShapeSetup>>();
  private readonly service: EngineService;
  private current?: ShapeSetup;
  private readonly profiles: ShapeProfile[];
  private partitions = 0;

  constructor(
    readonly graph: Graph,
    readonly gpu: GpuDevice,
    private readonly partitionOpts: EnginePartitionOptions,
    serviceOpts: EngineServiceOptions,
    private readonly runOpts: { memoryBudget?: number; preEncode?: boolean } = {},
    private readonly shapeOpts: ShapeOptions = {},
  ) {
    this.service = new EngineService(gpu, serviceOpts);
    // Fail on bad partition options and profiles now rather than at the first run.
    checkPartitionOptions(graph, { supports: backendSupport('webgpu'), backend: 'webgpu', ...partitionOpts });
    this.shapeFeeds = shapeDecidingInputs(graph, topoSort(graph).map((n) => bindNode(n, graph.opsets.get(n.domain))));
    this.profiles = checkSessionProfiles(this.inputs, shapeOpts.profiles ?? []);
  }

  private get warn(): (line: string) => void {
    return this.service.opts.warn ?? (() => {});
  }

  /** Graph inputs whose values (not only shapes) decide shapes: folded into the setup's graph. */
  private readonly shapeFeeds: Set<string>;

  get inputs() {
    return this.graph.inputs.filter((v) => !this.graph.initializers.has(v.name));
  }

  /**
   * The setup for these input shapes (and values of shape-deciding inputs): partition, executor,
   * engines. With profiles, one setup per profile serves every shape in its range; without, one
   * per set of shapes, each new one announced.
   */
  private setupFor(shapes: Record<string, number[]>, fixed: Map<string, Tensor>): Promise<ShapeSetup> {
    const values = [...fixed].map(([n, t]) => [n, t.toNumbers()]);
    let k = this.profiles.length ? findProfile(this.profiles, shapes) : -1;
    if (this.profiles.length && k < 0) {
      if (this.shapeOpts.onNewShape !== 'build') throw outsideProfilesError(this.profiles, shapes);
      const named = Object.keys(this.profiles[0]!);
      this.profiles.push(pointProfile(shapes, named));
      k = this.profiles.length - 1;
      this.warn(`input shapes ${describeShapes(shapes, named)} are outside every optimization profile: building profile ${k} for them (partition, engines, tactic timing)`);
    }
    const key = JSON.stringify(k >= 0 ? [`profile ${k}`, values] : [shapes, values]);
    let p = this.setups.get(key);
    if (!p) {
      if (k < 0 && this.setups.size > 0) {
        this.warn(`new input shapes ${describeShapes(shapes, Object.keys(shapes))}: partitioning and building engines for them (give the session profiles to cover a range of shapes with one build)`);
      }
      this.partitions++;
      const profile = k >= 0 ? this.profiles[k]! : undefined;
      p = (async () => {
        const graph = this.graph.clone();
        for (const [name, t] of fixed) graph.initializers.set(name, t);
        // Shapes after a data-dependent node (NonZero, Unique...) are known only at run time: the
        // engine takes subgraphs of the static part before them; the executor stages the rest.
        const order = topoSort(graph).map((n) => bindNode(n, graph.opsets.get(n.domain)));
        const cut = dataDependentNodes(graph, order);
        const split = cut.length ? splitAtDataDependent(graph, order, cut) : undefined;
        const target = split ? staticPrefixGraph(graph, split) : graph;
        // a profile partitions and builds at opt; min and max say which dims and values vary
        const at = (point: ProfilePoint) => ({ ...shapes, ...(profile ? profileShapes(profile, point) : {}) });
        const known = profile
          ? { min: inferShapes(target.clone(), opTyper, at('min')), max: inferShapes(target.clone(), opTyper, at('max')), opt: inferShapes(target, opTyper, at('opt')) }
          : undefined;
        const { partition, applied, fp32Layers, records } = await this.partitionAndBuild(target, known?.opt ?? inferShapes(target, opTyper, shapes), known);
        const engineNodes = applied.engineNodes.map((n) => n.name);
        const runGraph = split ? withDynamicPart(graph, applied.graph, split.after) : applied.graph;
        const executor = new GpuExecutor(runGraph, this.gpu, async (node, inputShapes): Promise<EngineStep> => {
          if (!isEngineNode(node)) throw new Error(`node ${node.name} is not an engine node`);
          if (!node.profile) {
            const record = await this.service.get(node.subgraph, inputShapes, fp32Layers);
            records.set(node.name, record);
            return record.context;
          }
          const record = await this.service.get(node.subgraph, optOf(node.profile), fp32Layers, node.profile);
          records.set(node.name, record);
          checkEngineInputs(node.name, node.profile, inputShapes);
          return record.profile!.contextAt(inputShapes);
        }, this.runOpts);
        return { executor, partition, weightBytes: applied.weightBytes, engineNodes, records, profile: k >= 0 ? k : undefined };
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
  private async partitionAndBuild(graph: Graph, known: ReturnType<typeof inferShapes>, profile?: ProfileKnown) {
    const o = this.service.opts;
    const steps = partitionAndBuild<EngineRecord>(graph, known, {
      partition: { supports: backendSupport('webgpu'), backend: 'webgpu', ...this.partitionOpts, ...(profile ? { variesWithShape: (v: string) => variesInProfile(graph, profile, v) } : {}) },
      verify: backendVerifier('webgpu', { precision: o.precision, ...(o.calibration ? { calibration: o.calibration } : {}), ...(o.floatPrecision ? { floatPrecision: o.floatPrecision } : {}), layerPrecision: o.layerPrecision, memoryBudget: o.memoryBudget, caps: deviceCaps(this.gpu) }),
      label: 'engine', warn: o.warn,
    });
    return driveAsync(steps, async ({ node, fp32Layers }): Promise<NodeBuild<EngineRecord>> => {
      const inputShapes = Object.fromEntries(node.subgraph.inputs.map((v) => [v.name, v.shape.map(Number)]));
      const ranges = profile ? generalizeEngineNode(graph, node, profile) : undefined;
      // a shape-dependent value the engine cannot compute: those nodes go to the framework
      if (ranges && !Array.isArray(ranges)) return { decline: { nodes: ranges.nodes, reason: ranges.reason, failedAs: `the engine cannot follow the profile: ${ranges.reason}` } };
      return { record: await this.service.get(node.subgraph, ranges ? optOf(ranges) : inputShapes, fp32Layers, ranges) };
    });
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const { executor, rest } = await this.prepare(feeds);
    return executor.run(rest as Record<string, Tensor>);
  }

  /** As `run`, with inputs that may be on the device and outputs left there (see GpuExecutor.runOnDevice). */
  async runOnDevice(feeds: Record<string, DeviceFeed>, opts: RunOnDeviceOptions = {}): Promise<Record<string, DeviceFeed>> {
    const { executor, rest } = await this.prepare(feeds);
    return executor.runOnDevice(rest, opts);
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
      engines: engineEntries(setup.records),
      deviceCopies: setup.executor.lastStats.deviceCopies,
      ...this.service.counts,
      partitions: this.partitions,
      profiles: [...this.profiles],
      ...(setup.profile !== undefined ? { profile: setup.profile } : {}),
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
export function withDynamicPart(graph: Graph, staticPart: Graph, after: readonly Graph['nodes'][number][]): Graph {
  const initializers = new Map(staticPart.initializers);
  for (const n of after) for (const i of n.inputs) if (i && graph.initializers.has(i)) initializers.set(i, graph.initializers.get(i)!);
  return new Graph({
    name: graph.name, nodes: [...staticPart.nodes, ...after], inputs: graph.inputs, outputs: graph.outputs,
    initializers, opsets: graph.opsets, onnxTypes: graph.onnxTypes,
  });
}
