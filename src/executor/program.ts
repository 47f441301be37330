import { assertWithinBudget } from './memory-budget.js';
import { ExecutionError, InputError, NnrtError, ShapeError } from '../errors.js';
import type { Graph, Node } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import { subgraphsOf, valuesRead } from '../ir/subgraph.js';
import { topoSort } from '../ir/topo.js';
import type { HostContext } from '../ops/op.js';
import type { BoundCpuKernel, BoundHostKernel } from '../ops/registry.js';
import { bindNode, inferNode, type BoundNode } from '../ops/typer.js';
import { BYTES_PER_ELEMENT } from '../tensor/dtype.js';
import { sameShape } from '../tensor/shape.js';
import { MAX_TENSOR_BYTES, Tensor } from '../tensor/tensor.js';
import { describeValue, type Value } from '../tensor/value.js';

/** Options of the framework's run loop that bound what a model may make it do. */
export interface ExecOptions {
  /**
   * The most iterations one Loop node may run before the run fails with an ExecutionError naming
   * the node (default 1,000,000). Exporters write "while" loops with a trip count of 2^63−1 and a
   * condition, so the limit applies to iterations actually run, not to the declared trip count.
   */
  maxLoopIterations?: number;
  /** The most bytes of live tensors a run may hold, checked before each allocation (memory-budget.ts). */
  memoryBudget?: number;
  /**
   * Which CPU kernels run: 'fast' (default) takes an op's WebAssembly SIMD kernel (src/cpu/) where
   * it has one; 'reference' always runs the plain TypeScript kernels (the reference for checking).
   */
  cpuKernels?: CpuKernelChoice;
}

export const CPU_KERNEL_CHOICES = ['fast', 'reference'] as const;
export type CpuKernelChoice = (typeof CPU_KERNEL_CHOICES)[number];

export const DEFAULT_MAX_LOOP_ITERATIONS = 1_000_000;

/** A Loop iteration limit as given by a caller: a non-negative integer, else an InputError. */
export function checkLoopLimit(max: number): number {
  if (!Number.isSafeInteger(max) || max < 0) throw new InputError(`maxLoopIterations must be a non-negative integer, got ${max}`);
  return max;
}

/** Values by name, falling back to the enclosing graph's scope (subgraphs read outer values). */
export class Scope {
  readonly local = new Map<string, Value>();
  constructor(readonly parent?: Scope) {}
  get(name: string): Value | undefined {
    return this.local.get(name) ?? this.parent?.get(name);
  }
}

interface Step {
  bound: BoundNode;
  /** The node's kernel bound to its attributes: a tensor kernel, or a host op's kernel. */
  kernel: { cpu: BoundCpuKernel } | { host: BoundHostKernel };
  /** Values whose last use (direct or by a subgraph) is this step: released after it runs. */
  release: string[];
}

/** Live bytes of intermediates, shared by a graph and its subgraphs during one run. */
export interface RunMeter {
  nodes: number;
  live: number;
  peak: number;
}

/**
 * One graph (the model or a subgraph) bound for the CPU: nodes in order, each with its op and
 * kernel, and what to free after each. Subgraphs are bound too, at construction, so unsupported
 * ops anywhere fail before any run.
 */
export class GraphProgram {
  private readonly steps: Step[];
  private readonly subprograms = new Map<Graph, GraphProgram>();

  /**
   * `nodeKernels`: kernels for particular nodes of this graph, by node name, taking the place of
   * their op's kernel (how a CPU engine session runs its nnrt.Engine nodes, src/runtime/cpu-engine-session.ts).
   */
  constructor(readonly graph: Graph, private readonly opts: Required<ExecOptions>, nodeKernels?: ReadonlyMap<string, BoundCpuKernel>) {
    const keep = new Set(graph.outputs.map((o) => o.name));
    const order = topoSort(graph);
    const local = new Set(order.flatMap((n) => n.outputs));
    const lastUse = new Map<string, number>();
    order.forEach((n, i) => valuesRead(n).forEach((v) => lastUse.set(v, i)));
    const releaseAt: string[][] = order.map(() => []);
    for (const [v, i] of lastUse) if (local.has(v) && !keep.has(v)) releaseAt[i]!.push(v);
    this.steps = order.map((node, i) => {
      const bound = bindNode(node, graph.opsets.get(node.domain));
      const { cpu: reference, cpuFast, host } = bound.op;
      const cpu = opts.cpuKernels === 'fast' ? cpuFast ?? reference : reference;
      const own = nodeKernels?.get(node.name);
      const kernel = own ? { cpu: own } : host ? { host } : cpu ? { cpu } : undefined;
      if (!kernel) throw new ExecutionError(`no CPU kernel for ${node.opType}`, { where: nodeWhere(node) });
      for (const g of subgraphsOf(node)) this.subprograms.set(g, new GraphProgram(g, opts));
      return { bound, kernel, release: releaseAt[i]! };
    });
  }

  /** Runs the nodes in `scope` (inputs already set); leaves the outputs there. */
  run(scope: Scope, meter: RunMeter): void {
    for (const step of this.steps) {
      const node = step.bound.node;
      const outs = this.runStep(step, scope, meter);
      node.outputs.forEach((o, k) => {
        const v = outs[k];
        if (o && v) {
          scope.local.set(o, v);
          meter.live += bytesOf(v);
        }
      });
      meter.nodes++;
      meter.peak = Math.max(meter.peak, meter.live);
      for (const v of step.release) {
        const val = scope.local.get(v);
        if (val) meter.live -= bytesOf(val);
        scope.local.delete(v);
      }
    }
  }

  /** Runs this graph as a subgraph: binds `inputs` to its inputs in order, returns its outputs in order. */
  call(inputs: readonly (Value | undefined)[], outer: Scope, meter: RunMeter): Value[] {
    const scope = new Scope(outer);
    this.graph.inputs.forEach((v, i) => {
      const x = inputs[i];
      if (x) scope.local.set(v.name, x);
    });
    for (const [k, t] of this.graph.initializers) scope.local.set(k, t);
    this.run(scope, meter);
    const outs = this.graph.outputs.map((o) => {
      const v = scope.get(o.name);
      if (!v) throw new ExecutionError(`subgraph output '${o.name}' has no value`);
      return v;
    });
    // what the nodes left in this scope is dropped; the caller counts the outputs it keeps
    for (const n of this.graph.nodes) for (const o of n.outputs) {
      const v = o ? scope.local.get(o) : undefined;
      if (v) meter.live -= bytesOf(v);
    }
    return outs;
  }

  private runStep(step: Step, scope: Scope, meter: RunMeter): Value[] {
    const node: Node = step.bound.node;
    const ins = node.inputs.map((i) => (i ? scope.get(i) : undefined));
    try {
      node.inputs.forEach((name, k) => {
        if (name && !ins[k]) throw new ExecutionError(`input ${k} '${name}' has no value (was it produced?)`);
      });
      if (step.bound.def.host) {
        const ctx: HostContext = {
          maxLoopIterations: this.opts.maxLoopIterations,
          runSubgraph: (g, values) => {
            const p = this.subprograms.get(g);
            if (!p) throw new ExecutionError('the subgraph is not one of this node\'s attributes');
            return p.call(values, scope, meter);
          },
        };
        if (!('host' in step.kernel)) throw new ExecutionError('a host op has no host kernel');
        return step.kernel.host(ins, ctx);
      }
      return runTensorKernel(step, ins, meter.live, this.opts.memoryBudget);
    } catch (e) {
      if (e instanceof NnrtError && e.where) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      const Ctor = e instanceof NnrtError ? (e.constructor as typeof NnrtError) : ExecutionError;
      throw new Ctor(msg, { where: nodeWhere(node), cause: e });
    }
  }
}

function runTensorKernel(step: Step, values: readonly (Value | undefined)[], live: number, budget: number): Value[] {
  const node = step.bound.node;
  // Identity forwards any value (ONNX types it over sequences and optionals too)
  const first = values[0];
  if (node.opType === 'Identity' && node.domain === '' && first && !(first instanceof Tensor)) return [first];
  const ins: (Tensor | undefined)[] = values.map((v, k) => {
    if (v === undefined || v instanceof Tensor) return v;
    throw new ExecutionError(`input ${k} '${node.inputs[k]}' is ${describeValue(v)}; ${node.opType} takes tensors`);
  });
  const types = inferNode(step.bound, ins.map((t) => (t ? { dtype: t.dtype, shape: t.shape, value: t } : undefined)));
  let total = 0;
  for (const t of types) {
    const bytes = t.shape.reduce((a, d) => a * d, 1) * BYTES_PER_ELEMENT[t.dtype];
    if (bytes > MAX_TENSOR_BYTES) throw new ShapeError(`output ${t.dtype}[${t.shape.join(',')}] would take ${bytes} bytes, over the limit of ${MAX_TENSOR_BYTES}`);
    total += bytes;
  }
  if (!('cpu' in step.kernel)) throw new ExecutionError(`${node.opType} has no tensor kernel`);
  assertWithinBudget(live, total, budget, `${node.opType} output ${types.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(', ')}`);
  const outs = step.kernel.cpu(ins, types);
  outs.forEach((t, k) => {
    const want = types[k];
    if (want && (t.dtype !== want.dtype || !sameShape(t.shape, want.shape))) {
      throw new ExecutionError(`kernel output ${k} is ${t.dtype}[${t.shape.join(',')}], shape inference said ${want.dtype}[${want.shape.join(',')}]`);
    }
  });
  return outs;
}

export function bytesOf(v: Value): number {
  if (v instanceof Tensor) return v.byteLength;
  if (v.kind === 'sequence') return v.tensors.reduce((s, t) => s + t.byteLength, 0);
  return v.value ? bytesOf(v.value) : 0;
}
