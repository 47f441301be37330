// Host steps inside a GPU run. Control flow (If, Loop, Scan), sequence and optional ops give values
// whose types exist only at run time, so a WebGPU plan (static shapes) cannot hold them. The GPU
// executor cuts its run at them, as at data-dependent shapes (gpu-stages.ts): the tensor nodes
// before run as a GPU plan; If, Loop and Scan run their subgraphs as GPU runs of their own
// (gpu-control-flow.ts); the other host nodes run here on host values (a SequenceMap's subgraph
// through the CPU program); and the nodes after run as the next GPU plan.
import { Graph, type Node } from '../ir/graph.js';
import { valuesRead } from '../ir/subgraph.js';
import type { BoundNode } from '../ops/typer.js';
import type { Value } from '../tensor/value.js';
import { GraphProgram, Scope, type ExecOptions, type RunMeter } from './program.js';

/**
 * Nodes that must run on the host in a GPU run: host ops, and Identity nodes that forward a value
 * a host op made or a non-tensor graph input (Identity is typed over sequences and optionals too).
 */
export function hostNodes(graph: Graph, order: readonly BoundNode[]): BoundNode[] {
  const hostValues = new Set(graph.inputs.filter((v) => v.kind && v.kind !== 'tensor').map((v) => v.name));
  const out: BoundNode[] = [];
  for (const b of order) {
    const n = b.node;
    const forwards = n.opType === 'Identity' && n.domain === '' && hostValues.has(n.inputs[0] ?? '');
    if (!b.def.host && !forwards) continue;
    out.push(b);
    for (const o of n.outputs) if (o) hostValues.add(o);
  }
  return out;
}

/** Whether a graph takes or gives sequences or optionals (such values never go to the device). */
export function hasNonTensorIO(graph: Graph): boolean {
  return [...graph.inputs, ...graph.outputs].some((v) => v.kind && v.kind !== 'tensor');
}

/**
 * Nodes of `candidates` (in order) that can run once `available` values are known, each counting
 * the outputs of those before it: the host step run between two GPU stages.
 */
export function readyNodes(candidates: readonly Node[], available: Set<string>): Node[] {
  const known = new Set(available);
  const ready: Node[] = [];
  for (const n of candidates) {
    if (!valuesRead(n).every((v) => known.has(v))) continue;
    ready.push(n);
    for (const o of n.outputs) if (o) known.add(o);
  }
  return ready;
}

/** Nodes run one after another on host values, through the framework's CPU program. */
export class HostStep {
  private readonly program: GraphProgram;

  constructor(graph: Graph, readonly nodes: Node[], opts: Required<ExecOptions>) {
    const outputs = nodes.flatMap((n) => n.outputs.filter((o) => o)).map((name) => ({ name }));
    const g = new Graph({ name: `${graph.name}/host`, nodes, outputs, opsets: graph.opsets, onnxTypes: graph.onnxTypes });
    this.program = new GraphProgram(g, opts);
  }

  /** Runs the nodes on the values in `host` (inputs, initializers, earlier results); adds their outputs there. */
  run(host: Map<string, Value>): RunMeter {
    const scope = new Scope();
    for (const [k, v] of host) scope.local.set(k, v);
    const meter: RunMeter = { nodes: 0, live: 0, peak: 0 };
    this.program.run(scope, meter);
    for (const n of this.nodes) for (const o of n.outputs) {
      const v = o ? scope.local.get(o) : undefined;
      if (v) host.set(o, v);
    }
    return meter;
  }
}
