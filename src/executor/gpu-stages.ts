// Graphs with data-dependent shapes or host ops on WebGPU. A plan is made once per set of input
// shapes, but the outputs of NonZero, Unique, Compress, NonMaxSuppression (ops with
// `dataDependentShape`) have shapes known only once their inputs' values are, and control flow,
// sequences and optionals give values whose types exist only at run time. Such a graph runs in
// stages: the nodes that do not depend on those ops run as one GPU plan (the prefix), whose
// results stay on the device; the cut nodes whose inputs are then all known (the frontier) run
// next: If, Loop and Scan with their subgraphs on the device (gpu-control-flow.ts), the others on
// the host, reading back the device tensors they need; the rest of the graph (the suffix) runs as
// another executor fed those values, planned per shape like any graph and staged again if it
// holds more such nodes. Every read-back for the host and every upload of a tensor the host made
// counts as a transfer. Sequences and optionals never go to the device.
import { ExecutionError } from '../errors.js';
import { Graph, type Node, type OutputInfo, type ValueInfo } from '../ir/graph.js';
import { hasSubgraphs, valuesRead } from '../ir/subgraph.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { isGpuTensor } from '../devices/webgpu/gpu-tensor.js';
import type { BoundNode } from '../ops/typer.js';
import { Tensor } from '../tensor/tensor.js';
import type { Value } from '../tensor/value.js';
import { GpuControlFlow, runsOnGpu } from './gpu-control-flow.js';
import type { GpuRunStats } from './gpu-executor.js';
import { emptyStats, runChained, toHost, valueInfoOf, type ChainedExecutor, type DeviceValue } from './gpu-subgraph.js';
import { HostStep, readyNodes } from './host-steps.js';
import type { ExecOptions } from './program.js';

/** Data-dependent nodes whose deciding inputs are not initializers: where a plan must stop. */
export function dataDependentNodes(graph: Graph, order: readonly BoundNode[]): BoundNode[] {
  return order.filter((b) => b.def.dataDependentShape && (b.def.valueInputs ?? []).some((i) => {
    const name = b.node.inputs[i];
    return name && !graph.initializers.has(name);
  }));
}

const FRONTIER_REASON = 'its output shape depends on data: runs on the CPU between GPU stages';
const HOST_REASON = 'control flow, sequences and optionals run on the host between GPU stages';
const SUBGRAPH_REASON = `${HOST_REASON}; its subgraphs run on the CPU`;

/** A node run between two GPU stages: control flow with its subgraphs on the device, or a node on host values. */
interface FrontierStep {
  run(values: Map<string, DeviceValue>, stats: GpuRunStats): Promise<void>;
  dispose(): void;
}

/** A node on the host: the device tensors it reads are read back first, each a transfer. */
function hostStep(graph: Graph, node: Node, opts: Required<ExecOptions>): FrontierStep {
  const step = new HostStep(graph, [node], opts);
  return {
    async run(values, stats) {
      const host = new Map<string, Value>();
      for (const name of valuesRead(node)) {
        const v = values.get(name);
        if (v !== undefined) host.set(name, await toHost(v, stats));
      }
      stats.nodes += step.run(host).nodes;
      for (const o of node.outputs) if (o && host.has(o)) values.set(o, host.get(o)!);
    },
    dispose() {},
  };
}

export class StagedGpuRun {
  private readonly prefix?: ChainedExecutor;
  private readonly frontier: FrontierStep[] = [];
  private readonly frontierReasons: GpuRunStats['fallbacks'];
  private readonly frontierNodes: Node[];
  private readonly suffixNodes: Node[];
  private readonly suffixInputs: string[];
  private readonly suffixes = new Map<string, ChainedExecutor>();
  lastStats: GpuRunStats = emptyStats();

  /** `cut`: the data-dependent and host nodes (in order), which run between GPU plans. */
  constructor(
    private readonly graph: Graph, order: readonly BoundNode[], cut: readonly BoundNode[],
    private readonly make: (g: Graph) => ChainedExecutor, opts: Required<ExecOptions>, gpu: GpuDevice,
  ) {
    const split = splitAtDataDependent(graph, order, cut);
    const cutNodes = new Set(cut.map((b) => b.node));
    const available = new Set([...graph.inputs.map((v) => v.name), ...graph.initializers.keys(), ...split.before.flatMap((n) => n.outputs)]);
    const frontier = readyNodes(split.after.filter((n) => cutNodes.has(n)), available);
    this.frontierNodes = frontier;
    const inFrontier = new Set(frontier);
    // host ops and the Identity nodes that forward their values (hostNodes); the rest are data-dependent
    const host = new Set(cut.filter((b) => b.def.host || !b.def.dataDependentShape).map((b) => b.node));
    this.frontierReasons = frontier.filter((n) => !runsOnGpu(n))
      .map((n) => ({ node: n.name, op: n.opType, reason: !host.has(n) ? FRONTIER_REASON : hasSubgraphs(n) ? SUBGRAPH_REASON : HOST_REASON }));
    for (const n of frontier) {
      this.frontier.push(runsOnGpu(n) ? new GpuControlFlow(n, graph.initializers, make, gpu, opts.maxLoopIterations) : hostStep(graph, n, opts));
    }
    this.suffixNodes = split.after.filter((n) => !inFrontier.has(n));
    if (split.before.length) this.prefix = this.make(staticPrefixGraph(graph, split));
    const suffixProduced = new Set(this.suffixNodes.flatMap((n) => n.outputs));
    this.suffixInputs = [...new Set(this.suffixNodes.flatMap(valuesRead))].filter((i) => !suffixProduced.has(i) && !graph.initializers.has(i));
  }

  /**
   * One run: device tensors stay on the device between stages. `resident`: tensor outputs stay
   * there too (views valid until the next run), else they are read back.
   */
  async run(feeds: Record<string, DeviceValue>, resident: boolean): Promise<Record<string, DeviceValue>> {
    const values = new Map<string, DeviceValue>([...this.graph.initializers, ...Object.entries(feeds)]);
    const stats = emptyStats();
    if (this.prefix) {
      const out = await runChained(this.prefix, pick(values, this.prefix.inputs), stats);
      for (const [k, t] of Object.entries(out)) values.set(k, t);
    }
    for (const step of this.frontier) await step.run(values, stats);
    stats.fallbacks.push(...this.frontierReasons);
    if (this.suffixNodes.length) {
      const exec = this.suffixFor(values);
      // tensors made on the host between the stages are uploaded for the next one (a feed or a
      // constant handed through, by an If branch say, is uploaded like any feed)
      const made = new Set(this.frontierNodes.flatMap((n) => n.outputs));
      const given = new Set<unknown>([...Object.values(feeds), ...this.graph.initializers.values()]);
      stats.transfers += this.suffixInputs.filter((n) => made.has(n) && values.get(n) instanceof Tensor && !given.has(values.get(n))).length;
      const out = await runChained(exec, pick(values, exec.inputs), stats);
      for (const [k, t] of Object.entries(out)) values.set(k, t);
    }
    const result: Record<string, DeviceValue> = {};
    for (const o of this.graph.outputs) {
      const v = values.get(o.name);
      if (v === undefined) throw new ExecutionError(`graph output '${o.name}' has no value`);
      result[o.name] = resident || !isGpuTensor(v) ? v : await v.read();
    }
    this.lastStats = stats;
    return result;
  }

  dispose(): void {
    this.prefix?.dispose();
    for (const f of this.frontier) f.dispose();
    for (const e of this.suffixes.values()) e.dispose();
    this.suffixes.clear();
  }

  /** The suffix executor for the kinds, dtypes and ranks its inputs have (their dims stay free). */
  private suffixFor(values: Map<string, DeviceValue>): ChainedExecutor {
    const inputs: ValueInfo[] = this.suffixInputs.map((name) => valueInfoOf(name, values.get(name)!));
    const key = JSON.stringify(inputs.map((v) => [v.name, v.kind ?? 'tensor', v.dtype, v.shape.length]));
    let exec = this.suffixes.get(key);
    if (!exec) {
      const produced = new Set(this.suffixNodes.flatMap((n) => n.outputs));
      const outputs = this.graph.outputs.filter((o) => produced.has(o.name)).map((o) => ({ name: o.name, ...(o.kind ? { kind: o.kind } : {}) }));
      exec = this.make(subgraph(this.graph, `${this.graph.name}/suffix`, this.suffixNodes, inputs, outputs));
      this.suffixes.set(key, exec);
    }
    return exec;
  }
}

/**
 * The nodes that do not depend on any node of `cut` (`before`, in order) and those that do
 * (`after`, the cut nodes included); `crossing` are values of `before` that `after` reads.
 */
export function splitAtDataDependent(graph: Graph, order: readonly BoundNode[], cut: readonly BoundNode[]): { before: Node[]; after: Node[]; crossing: string[] } {
  const consumers = graph.consumers();
  const downstream = new Set<Node>();
  const stack = cut.map((b) => b.node);
  while (stack.length) {
    const n = stack.pop()!;
    if (downstream.has(n)) continue;
    downstream.add(n);
    for (const o of n.outputs) for (const c of (o && consumers.get(o)) || []) stack.push(c);
  }
  const nodes = order.map((b) => b.node);
  const after = nodes.filter((n) => downstream.has(n));
  const laterUse = new Set(after.flatMap(valuesRead));
  const before = nodes.filter((n) => !downstream.has(n));
  const crossing = before.flatMap((n) => n.outputs.filter((o) => o && laterUse.has(o)));
  return { before, after, crossing };
}

/** The graph of the `before` nodes: the inputs they read; as outputs, the values crossing and the graph outputs they make. */
export function staticPrefixGraph(graph: Graph, split: { before: Node[]; crossing: string[] }): Graph {
  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const produced = split.before.flatMap((n) => n.outputs.filter((o) => o));
  const outputs = produced.filter((v) => split.crossing.includes(v) || outputNames.has(v));
  return subgraph(graph, `${graph.name}/prefix`, split.before, graph.inputs.filter((v) => usedBy(split.before, v.name) && !graph.initializers.has(v.name)), outputs.map((name) => ({ name })));
}

const usedBy = (nodes: readonly Node[], name: string) => nodes.some((n) => valuesRead(n).includes(name));

function subgraph(g: Graph, name: string, nodes: Node[], inputs: ValueInfo[], outputs: OutputInfo[]): Graph {
  const initializers = new Map([...g.initializers].filter(([k]) => usedBy(nodes, k)));
  return new Graph({ name, nodes, inputs, outputs, initializers, opsets: g.opsets, onnxTypes: g.onnxTypes });
}

function pick(values: Map<string, DeviceValue>, inputs: readonly ValueInfo[]): Record<string, DeviceValue> {
  return Object.fromEntries(inputs.flatMap((v) => (values.has(v.name) ? [[v.name, values.get(v.name)!]] : [])));
}
