// A session with the CPU engine on: for each set of input shapes the graph is partitioned for the
// 'cpu' backend, every supported subgraph becomes one nnrt.Engine node whose CPU engine is built
// (or loaded from the plan store) for those shapes, and the framework's CPU executor runs the
// rest, calling each engine as that node's kernel: tensors stay in host memory, no copies but the
// engine's own inputs into its arena and outputs out of it.
import { NnrtError, UsageError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import { bindShape, inferShapes } from '../ir/infer.js';
import { opTyper } from '../ops/typer.js';
import type { BoundCpuKernel } from '../ops/registry.js';
import { CpuExecutor } from '../executor/executor.js';
import type { ExecOptions } from '../executor/program.js';
import { checkPartitionOptions } from '../partition/options.js';
import type { EngineNode, PartitionResult, WeightBytes } from '../partition/index.js';
import type { EngineServiceOptions } from '../engine/service.js';
import { CpuEngineService, type CpuEngineRecord } from '../engine/cpu/service.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendSupport, backendVerifier } from './backends.js';
import { driveSync, partitionAndBuild } from './partition-and-build.js';
import { engineEntries, withDynamicPart, type EnginePartitionOptions, type EngineStats } from './engine-session.js';
import type { EngineLayerTimes } from '../engine/layer-profile.js';
import { profileCpuLayers } from '../engine/cpu/layer-profile.js';
import { shapeDecidingInputs } from '../executor/shape-deciding-inputs.js';
import { dataDependentNodes, splitAtDataDependent, staticPrefixGraph } from '../executor/gpu-stages.js';
import { bindNode } from '../ops/typer.js';
import { topoSort } from '../ir/topo.js';
import { markConstant, releaseResident } from '../cpu/resident.js';

interface CpuSetup {
  executor: CpuExecutor;
  partition: PartitionResult;
  weightBytes: WeightBytes;
  records: Map<string, CpuEngineRecord>;
  /** The engine nodes' kernels, by node name. */
  kernels: Map<string, BoundCpuKernel>;
}

export class CpuEngineSession {
  private readonly setups = new Map<string, CpuSetup>();
  private readonly service: CpuEngineService;
  private current?: CpuSetup;
  private partitions = 0;

  constructor(
    readonly graph: Graph,
    private readonly partitionOpts: EnginePartitionOptions,
    serviceOpts: EngineServiceOptions,
    private readonly execOpts: ExecOptions = {},
  ) {
    this.service = new CpuEngineService(serviceOpts);
    checkPartitionOptions(graph, { supports: backendSupport('cpu'), backend: 'cpu', ...partitionOpts });
    this.shapeFeeds = shapeDecidingInputs(graph, topoSort(graph).map((n) => bindNode(n, graph.opsets.get(n.domain))));
  }

  /** Graph inputs whose values (not only shapes) decide shapes: folded into the setup's graph. */
  private readonly shapeFeeds: Set<string>;

  get inputs() {
    return this.graph.inputs.filter((v) => !this.graph.initializers.has(v.name));
  }

  private setupFor(shapes: Record<string, number[]>, fixed: Map<string, Tensor>): CpuSetup {
    const key = JSON.stringify([shapes, [...fixed].map(([n, t]) => [n, t.toNumbers()])]);
    let s = this.setups.get(key);
    if (!s) {
      if (this.setups.size > 0) {
        this.service.opts.warn?.(`new input shapes ${Object.entries(shapes).map(([n, d]) => `${n}=[${d.join(',')}]`).join(' ')}: partitioning and building cpu engines for them`);
      }
      this.partitions++;
      s = this.setupGraph(shapes, fixed);
      // the framework's nodes (LSTM between engines...) may keep their packed weights resident;
      // folded feeds are the caller's arrays, which may change in place
      const weights = [...s.executor.graph.initializers].filter(([n]) => !fixed.has(n)).map(([, t]) => t.data);
      markConstant(weights);
      this.constants.push(...weights);
      this.setups.set(key, s);
    }
    return s;
  }

  /**
   * Values of shape-deciding inputs are folded in; shapes after a data-dependent node (NonZero,
   * Unique...) are known only at run time, so the engine takes subgraphs of the static part before
   * them. Anything the partitioning or a build cannot handle leaves the graph to the framework
   * (with a notice): the engine never takes down a run the framework can do.
   */
  private setupGraph(shapes: Record<string, number[]>, fixed: Map<string, Tensor>): CpuSetup {
    const graph = this.graph.clone();
    for (const [name, t] of fixed) graph.initializers.set(name, t);
    try {
      const order = topoSort(graph).map((n) => bindNode(n, graph.opsets.get(n.domain)));
      const cut = dataDependentNodes(graph, order);
      const split = cut.length ? splitAtDataDependent(graph, order, cut) : undefined;
      const target = split ? staticPrefixGraph(graph, split) : graph;
      const setup = this.partitionAndBuild(target, shapes);
      if (!split) return setup;
      const runGraph = withDynamicPart(graph, setup.executor.graph, split.after);
      return { ...setup, executor: new CpuExecutor(runGraph, this.execOpts, setup.kernels) };
    } catch (e) {
      if (!(e instanceof NnrtError) || e instanceof UsageError) throw e;
      this.service.opts.warn?.(`the cpu engine cannot partition this graph (${e.message}); the framework runs all of it`);
      const nodes = graph.nodes.map((n) => n.name);
      const partition: PartitionResult = {
        backend: 'cpu', minSubgraphSize: this.partitionOpts.minSubgraphSize ?? 3, totalNodes: nodes.length, subgraphs: [], declined: [], tooSmall: [],
        boundaryTensors: 0, fallbacks: [{ nodes, reason: e.message, action: 'framework' }],
      };
      const bytes = [...graph.initializers.values()].reduce((a, t) => a + t.byteLength, 0);
      return { executor: new CpuExecutor(graph, this.execOpts), partition, weightBytes: { before: bytes, after: bytes, engines: 0, shared: 0 }, records: new Map(), kernels: new Map() };
    }
  }

  /**
   * Partitions with the dry build's fallbacks, then builds every engine: a build that still fails
   * sends its nodes back to the framework and the graph is partitioned again, so the engine never
   * fails a run the framework can do.
   */
  private partitionAndBuild(graph: Graph, shapes: Record<string, number[]>): CpuSetup {
    const known = inferShapes(graph.clone(), opTyper, shapes);
    const steps = partitionAndBuild<CpuEngineRecord>(graph, known, {
      partition: { supports: backendSupport('cpu'), backend: 'cpu', ...this.partitionOpts },
      verify: backendVerifier('cpu', { memoryBudget: this.service.opts.memoryBudget }),
      label: 'cpu engine', warn: this.service.opts.warn,
    });
    const p = driveSync(steps, ({ node }) => {
      const inputShapes = Object.fromEntries(node.subgraph.inputs.map((v) => [v.name, v.shape.map(Number)]));
      return { record: this.service.get(node.subgraph, inputShapes) };
    });
    const kernels = new Map<string, BoundCpuKernel>(p.applied.engineNodes.map((node) => [node.name, engineKernel(node, p.records.get(node.name)!)]));
    const executor = new CpuExecutor(p.applied.graph, this.execOpts, kernels);
    return { executor, partition: p.partition, weightBytes: p.applied.weightBytes, records: p.records, kernels };
  }

  run(feeds: Record<string, Tensor>): Record<string, Tensor> {
    const shapes = Object.fromEntries(this.inputs.map((v) => [v.name, feeds[v.name] ? bindShape(v, feeds[v.name]!.shape) : v.shape.map(Number)]));
    const fixed = new Map([...this.shapeFeeds].filter((n) => feeds[n]).map((n) => [n, feeds[n]!]));
    const setup = this.setupFor(shapes, fixed);
    this.current = setup;
    // values folded into the setup's graph are no longer its inputs
    return setup.executor.run(fixed.size ? Object.fromEntries(Object.entries(feeds).filter(([n]) => !fixed.has(n))) : feeds);
  }

  get executor(): CpuExecutor | undefined {
    return this.current?.executor;
  }

  /** Initializers of the setups' framework graphs, marked constant (released at dispose). */
  private readonly constants: object[] = [];

  dispose(): void {
    this.service.dispose();
    releaseResident(this.constants.splice(0));
    this.setups.clear();
  }

  /** Per-layer wall-clock times of every engine of the last run's setup (none before a run). */
  layerTimes(reps?: number): EngineLayerTimes[] {
    return [...(this.current?.records ?? [])].map(([engine, r]) => ({ engine, ...profileCpuLayers(r.engine, reps) }));
  }

  engineStats(): EngineStats | undefined {
    const setup = this.current;
    if (!setup) return undefined;
    return {
      partition: setup.partition,
      weightBytes: setup.weightBytes,
      engines: engineEntries(setup.records),
      deviceCopies: 0,
      ...this.service.counts,
      partitions: this.partitions,
      profiles: [],
    };
  }
}

/** The engine node's kernel: its engine run on the node's inputs, outputs in the node's order. */
function engineKernel(node: EngineNode, record: CpuEngineRecord): BoundCpuKernel {
  const names = node.subgraph.inputs.map((v) => v.name);
  return (ins) => {
    const feeds: Record<string, Tensor> = {};
    names.forEach((n, i) => { if (ins[i]) feeds[n] = ins[i]!; });
    const out = record.engine.run(feeds);
    return node.outputs.map((o) => out[o]!);
  };
}
