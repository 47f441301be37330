// Graphs with data-dependent shapes on WebGPU. A plan is made once per set of input shapes, but
// the outputs of NonZero, Unique, Compress, NonMaxSuppression (ops with `dataDependentShape`)
// have shapes known only once their inputs' values are. Such a graph runs in stages: the nodes
// that do not depend on those ops run as one GPU plan (the prefix); its values that later nodes
// need are read back; the data-dependent nodes whose inputs are then all known (the frontier)
// run on the CPU; the rest of the graph (the suffix) runs as another executor, whose inputs are
// now host tensors of known shapes, planned per shape like any graph and staged again if it
// holds more such nodes. Every read-back and upload across a stage boundary counts as a transfer.
// Host ops (control flow, sequences, optionals: see host-steps.ts) cut a run the same way: they
// run in the frontier on host values, sequences and optionals included, which never go to the device.
import { Graph, type Node, type OutputInfo, type ValueInfo } from '../ir/graph.js';
import { hasSubgraphs, valuesRead } from '../ir/subgraph.js';
import type { BoundNode } from '../ops/typer.js';
import { Tensor } from '../tensor/tensor.js';
import { OptionalValue, type Value } from '../tensor/value.js';
import type { GpuRunStats } from './gpu-executor.js';
import { HostStep, readyNodes } from './host-steps.js';
import type { ExecOptions } from './program.js';

/** What a stage needs of an executor (a GpuExecutor over a subgraph). */
export interface StageExecutor {
  readonly inputs: ValueInfo[];
  readonly lastStats: GpuRunStats;
  runValues(feeds: Record<string, Value>): Promise<Record<string, Value>>;
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
const HOST_REASON = 'control flow, sequences and optionals run on the host between GPU stages';
const SUBGRAPH_REASON = `${HOST_REASON}; its subgraphs run on the CPU`;

export class StagedGpuRun {
  private readonly prefix?: { exec: StageExecutor; crossing: string[] };
  private readonly frontier?: HostStep;
  private readonly frontierReasons: GpuRunStats['fallbacks'];
  private readonly suffixNodes: Node[];
  private readonly suffixInputs: string[];
  private readonly suffixes = new Map<string, StageExecutor>();
  lastStats: GpuRunStats = { nodes: 0, peakBytes: 0, transfers: 0, fallbacks: [], pipelines: 0, submits: 0, deviceCopies: 0 };

  /** `cut`: the data-dependent and host nodes (in order), which run on the host between GPU plans. */
  constructor(
    private readonly graph: Graph, order: readonly BoundNode[], cut: readonly BoundNode[],
    private readonly make: (g: Graph) => StageExecutor, opts: Required<ExecOptions>,
  ) {
    const split = splitAtDataDependent(graph, order, cut);
    const cutNodes = new Set(cut.map((b) => b.node));
    const available = new Set([...graph.inputs.map((v) => v.name), ...graph.initializers.keys(), ...split.before.flatMap((n) => n.outputs)]);
    const frontier = readyNodes(split.after.filter((n) => cutNodes.has(n)), available);
    const inFrontier = new Set(frontier);
    // host ops and the Identity nodes that forward their values (hostNodes); the rest are data-dependent
    const host = new Set(cut.filter((b) => b.def.host || !b.def.dataDependentShape).map((b) => b.node));
    this.frontierReasons = frontier.map((n) => ({ node: n.name, op: n.opType, reason: !host.has(n) ? FRONTIER_REASON : hasSubgraphs(n) ? SUBGRAPH_REASON : HOST_REASON }));
    if (frontier.length) this.frontier = new HostStep(graph, frontier, opts);
    this.suffixNodes = split.after.filter((n) => !inFrontier.has(n));
    if (split.before.length) {
      this.prefix = { exec: this.make(staticPrefixGraph(graph, split)), crossing: split.crossing };
    }
    const suffixProduced = new Set(this.suffixNodes.flatMap((n) => n.outputs));
    this.suffixInputs = [...new Set(this.suffixNodes.flatMap(valuesRead))].filter((i) => !suffixProduced.has(i) && !graph.initializers.has(i));
  }

  async run(feeds: Record<string, Value>): Promise<Record<string, Value>> {
    const host = new Map<string, Value>([...this.graph.initializers, ...Object.entries(feeds)]);
    const stats: GpuRunStats = { nodes: 0, peakBytes: 0, transfers: 0, fallbacks: [], pipelines: 0, submits: 0, deviceCopies: 0 };
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
      const out = await this.prefix.exec.runValues(pick(host, this.prefix.exec.inputs));
      for (const [k, t] of Object.entries(out)) host.set(k, t);
      add(this.prefix.exec.lastStats);
      stats.transfers += this.prefix.crossing.length; // read back for the host and the next stage
    }
    if (this.frontier) {
      stats.nodes += this.frontier.run(host).nodes;
      stats.fallbacks.push(...this.frontierReasons);
    }
    if (this.suffixNodes.length) {
      const exec = this.suffixFor(host);
      const out = await exec.runValues(pick(host, exec.inputs));
      for (const [k, t] of Object.entries(out)) host.set(k, t);
      add(exec.lastStats);
      // tensors made on the host (not fed) are uploaded again for the next stage
      stats.transfers += this.suffixInputs.filter((n) => !(n in feeds) && host.get(n) instanceof Tensor).length;
    }
    this.lastStats = stats;
    return Object.fromEntries(this.graph.outputs.map((o) => [o.name, host.get(o.name)!]));
  }

  dispose(): void {
    this.prefix?.exec.dispose();
    for (const e of this.suffixes.values()) e.dispose();
    this.suffixes.clear();
  }

  /** The suffix executor for the kinds, dtypes and ranks its inputs have (their dims stay free). */
  private suffixFor(host: Map<string, Value>): StageExecutor {
    const inputs: ValueInfo[] = this.suffixInputs.map((name) => valueInfoOf(name, host.get(name)!));
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

/** The type of a value made at run time, as the input of a later stage (tensor dims left free). */
function valueInfoOf(name: string, v: Value): ValueInfo {
  if (v instanceof Tensor) return { name, dtype: v.dtype, shape: v.shape.map((_, d) => `${name}_d${d}`) };
  const kind = v instanceof OptionalValue ? (v.elem === 'sequence' ? 'optional-sequence' : 'optional') : 'sequence';
  return { name, dtype: v.elemDtype, shape: [], kind };
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

function pick(values: Map<string, Value>, inputs: readonly ValueInfo[]): Record<string, Value> {
  return Object.fromEntries(inputs.flatMap((v) => (values.has(v.name) ? [[v.name, values.get(v.name)!]] : [])));
}
