// Graphs with data-dependent shapes on WebGPU. A plan is made once per set of input shapes, but
// the outputs of NonZero, Unique, Compress, NonMaxSuppression (ops with `dataDependentShape`)
// have shapes known only once their inputs' values are. Such a graph runs in stages: the nodes
// that do not depend on those ops run as one GPU plan (the prefix); its values that later nodes
// need are read back; the data-dependent nodes whose inputs are then all known (the frontier)
// run on the CPU; the rest of the graph (the suffix) runs as another executor, whose inputs are
// now host tensors of known shapes, planned per shape like any graph and staged again if it
// holds more such nodes. Every read-back and upload across a stage boundary counts as a transfer.
import { ExecutionError, NnrtError } from '../errors.js';
import { Graph, nodeWhere, type Node, type ValueInfo } from '../ir/graph.js';
import { inferNode, type BoundNode } from '../ops/typer.js';
import type { Tensor } from '../tensor/tensor.js';
import type { GpuRunStats } from './gpu-executor.js';

/** What a stage needs of an executor (a GpuExecutor over a subgraph). */
export interface StageExecutor {
  readonly inputs: ValueInfo[];
  readonly lastStats: GpuRunStats;
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  dispose(): void;
}

/** Data-dependent nodes whose deciding inputs are not initializers: where a plan must stop. */
export function dataDependentNodes(graph: Graph, order: readonly BoundNode[]): BoundNode[] {
  return order.filter((b) => b.def.dataDependentShape && (b.def.valueInputs ?? []).some((i) => {
    const name = b.node.inputs[i];
    return name && !graph.initializers.has(name);
  }));
}

const FRONTIER_REASON = 'its output shape depends on data: runs on the CPU between GPU stages';

export class StagedGpuRun {
  private readonly prefix?: { exec: StageExecutor; crossing: string[] };
  private readonly frontier: BoundNode[];
  private readonly suffixNodes: Node[];
  private readonly suffixInputs: string[];
  private readonly suffixes = new Map<string, StageExecutor>();
  lastStats: GpuRunStats = { nodes: 0, peakBytes: 0, transfers: 0, fallbacks: [], pipelines: 0, submits: 0, deviceCopies: 0 };

  constructor(
    private readonly graph: Graph, order: readonly BoundNode[], cut: readonly BoundNode[],
    private readonly make: (g: Graph) => StageExecutor,
  ) {
    const split = splitAtDataDependent(graph, order, cut);
    const inSuffix = new Set(split.after);
    const producer = graph.producers();
    this.frontier = cut.filter((b) => !b.node.inputs.some((i) => i && inSuffix.has(producer.get(i)!)));
    const frontierNodes = new Set(this.frontier.map((b) => b.node));
    this.suffixNodes = split.after.filter((n) => !frontierNodes.has(n));
    if (split.before.length) {
      this.prefix = { exec: this.make(staticPrefixGraph(graph, split)), crossing: split.crossing };
    }
    const suffixProduced = new Set(this.suffixNodes.flatMap((n) => n.outputs));
    this.suffixInputs = [...new Set(this.suffixNodes.flatMap((n) => n.inputs))].filter((i) => i && !suffixProduced.has(i) && !graph.initializers.has(i));
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const host = new Map<string, Tensor>([...this.graph.initializers, ...Object.entries(feeds)]);
    const stats: GpuRunStats = { nodes: this.frontier.length, peakBytes: 0, transfers: 0, fallbacks: [], pipelines: 0, submits: 0, deviceCopies: 0 };
    const add = (s: GpuRunStats) => {
      stats.nodes += s.nodes;
      stats.peakBytes = Math.max(stats.peakBytes, s.peakBytes);
      stats.transfers += s.transfers;
      stats.fallbacks.push(...s.fallbacks);
      stats.pipelines = Math.max(stats.pipelines, s.pipelines);
      stats.submits += s.submits;
      stats.deviceCopies += s.deviceCopies;
    };
    if (this.prefix) {
      const out = await this.prefix.exec.run(pick(feeds, this.prefix.exec.inputs));
      for (const [k, t] of Object.entries(out)) host.set(k, t);
      add(this.prefix.exec.lastStats);
      stats.transfers += this.prefix.crossing.length; // read back for the CPU and the next stage
    }
    for (const b of this.frontier) {
      runOnCpu(b, host);
      stats.fallbacks.push({ node: b.node.name, op: b.node.opType, reason: FRONTIER_REASON });
    }
    if (this.suffixNodes.length) {
      const exec = this.suffixFor(host);
      const out = await exec.run(pick(Object.fromEntries(host), exec.inputs));
      for (const [k, t] of Object.entries(out)) host.set(k, t);
      add(exec.lastStats);
      stats.transfers += this.suffixInputs.filter((n) => !(n in feeds)).length; // uploaded again
    }
    this.lastStats = stats;
    return Object.fromEntries(this.graph.outputs.map((o) => [o.name, host.get(o.name)!]));
  }

  dispose(): void {
    this.prefix?.exec.dispose();
    for (const e of this.suffixes.values()) e.dispose();
    this.suffixes.clear();
  }

  /** The suffix executor for the dtypes and ranks its inputs have (their dims stay free). */
  private suffixFor(host: Map<string, Tensor>): StageExecutor {
    const inputs: ValueInfo[] = this.suffixInputs.map((name) => {
      const t = host.get(name)!;
      return { name, dtype: t.dtype, shape: t.shape.map((_, d) => `${name}_d${d}`) };
    });
    const key = JSON.stringify(inputs.map((v) => [v.name, v.dtype, v.shape.length]));
    let exec = this.suffixes.get(key);
    if (!exec) {
      const produced = new Set(this.suffixNodes.flatMap((n) => n.outputs));
      const outputs = this.graph.outputs.map((o) => o.name).filter((o) => produced.has(o));
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
  const laterUse = new Set(after.flatMap((n) => n.inputs.filter((i) => i)));
  const before = nodes.filter((n) => !downstream.has(n));
  const crossing = before.flatMap((n) => n.outputs.filter((o) => o && laterUse.has(o)));
  return { before, after, crossing };
}

/** The graph of the `before` nodes: the inputs they read; as outputs, the values crossing and the graph outputs they make. */
export function staticPrefixGraph(graph: Graph, split: { before: Node[]; crossing: string[] }): Graph {
  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const produced = split.before.flatMap((n) => n.outputs.filter((o) => o));
  const outputs = produced.filter((v) => split.crossing.includes(v) || outputNames.has(v));
  return subgraph(graph, `${graph.name}/prefix`, split.before, graph.inputs.filter((v) => usedBy(split.before, v.name) && !graph.initializers.has(v.name)), outputs);
}

const usedBy = (nodes: readonly Node[], name: string) => nodes.some((n) => n.inputs.includes(name));

function subgraph(g: Graph, name: string, nodes: Node[], inputs: ValueInfo[], outputs: string[]): Graph {
  const initializers = new Map([...g.initializers].filter(([k]) => usedBy(nodes, k)));
  return new Graph({ name, nodes, inputs, outputs: outputs.map((o) => ({ name: o })), initializers, opsets: g.opsets, onnxTypes: g.onnxTypes });
}

function pick(values: Record<string, Tensor>, inputs: readonly ValueInfo[]): Record<string, Tensor> {
  return Object.fromEntries(inputs.map((v) => [v.name, values[v.name]!]));
}

/** Runs one node's CPU kernel on host values, inferring its output types from them first. */
function runOnCpu(b: BoundNode, host: Map<string, Tensor>): void {
  const node = b.node;
  try {
    const kernel = b.op.cpu;
    if (!kernel) throw new ExecutionError(`no CPU kernel for ${node.opType}`);
    const ins = node.inputs.map((n) => (n ? host.get(n) : undefined));
    const types = inferNode(b, ins.map((t) => (t ? { dtype: t.dtype, shape: t.shape, value: t } : undefined)));
    kernel(ins, types).forEach((t, k) => node.outputs[k] && host.set(node.outputs[k]!, t));
  } catch (e) {
    if (e instanceof NnrtError && e.where) throw e;
    const Ctor = e instanceof NnrtError ? (e.constructor as typeof NnrtError) : ExecutionError;
    throw new Ctor(e instanceof Error ? e.message : String(e), { where: nodeWhere(node), cause: e });
  }
}
