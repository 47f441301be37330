import { checkMemoryBudget, defaultMemoryBudget } from './memory-budget.js';
import { InputError } from '../errors.js';
import type { Graph, ValueInfo } from '../ir/graph.js';
import { bindShape } from '../ir/infer.js';
import { verifyGraph } from '../ir/verify.js';
import { Tensor } from '../tensor/tensor.js';
import { describeValue, OptionalValue, TensorSequence, type Value } from '../tensor/value.js';
import type { BoundCpuKernel } from '../ops/registry.js';
import { checkLoopLimit, CPU_KERNEL_CHOICES, DEFAULT_MAX_LOOP_ITERATIONS, GraphProgram, Scope, type ExecOptions, type RunMeter } from './program.js';

export interface RunStats {
  /** Nodes executed (nodes of subgraphs counted each time they run). */
  nodes: number;
  /** The largest total of live intermediate bytes during the run. */
  peakBytes: number;
}

/**
 * The framework on the CPU: runs a graph node by node and frees each intermediate after its last
 * use. Construction binds every node (subgraphs included) to its op and kernel, so unsupported ops
 * fail before any run. Control flow (If, Loop, Scan) runs its subgraphs through the same loop.
 */
export class CpuExecutor {
  readonly graph: Graph;
  private readonly program: GraphProgram;
  lastStats: RunStats = { nodes: 0, peakBytes: 0 };

  /** `nodeKernels`: kernels for particular nodes by name (see GraphProgram). */
  constructor(graph: Graph, opts: ExecOptions = {}, nodeKernels?: ReadonlyMap<string, BoundCpuKernel>) {
    verifyGraph(graph);
    this.graph = graph;
    const max = checkLoopLimit(opts.maxLoopIterations ?? DEFAULT_MAX_LOOP_ITERATIONS);
    const memoryBudget = opts.memoryBudget === undefined ? defaultMemoryBudget() : checkMemoryBudget(opts.memoryBudget);
    const cpuKernels = opts.cpuKernels ?? 'fast';
    if (!CPU_KERNEL_CHOICES.includes(cpuKernels)) {
      throw new InputError(`cpuKernels must be one of ${CPU_KERNEL_CHOICES.join(', ')}, got '${String(cpuKernels)}'`);
    }
    this.program = new GraphProgram(graph, { maxLoopIterations: max, memoryBudget, cpuKernels }, nodeKernels);
  }

  /** Model inputs (graph inputs without an initializer). */
  get inputs(): ValueInfo[] {
    return this.graph.inputs.filter((v) => !this.graph.initializers.has(v.name));
  }

  /** Runs a model whose inputs and outputs are tensors. */
  run(feeds: Record<string, Tensor>): Record<string, Tensor> {
    const out = this.runValues(feeds);
    for (const [name, v] of Object.entries(out)) {
      if (!(v instanceof Tensor)) throw new InputError(`output '${name}' is ${describeValue(v)}, not a tensor`, { hint: 'use runValues for models with sequence or optional outputs' });
    }
    return out as Record<string, Tensor>;
  }

  /** Runs a model whose inputs or outputs may be sequences or optionals too. */
  runValues(feeds: Record<string, Value>): Record<string, Value> {
    const scope = new Scope();
    for (const [k, t] of this.graph.initializers) scope.local.set(k, t);
    const names = () => this.inputs.map((i) => i.name).join(', ');
    for (const v of this.inputs) {
      const x = feeds[v.name];
      if (!x) {
        // an optional input may be left out: it is an empty optional
        if (v.kind === 'optional' || v.kind === 'optional-sequence') {
          scope.local.set(v.name, new OptionalValue(v.kind === 'optional' ? 'tensor' : 'sequence', v.dtype, undefined));
          continue;
        }
        throw new InputError(`missing input '${v.name}'`, { hint: `the model takes ${names()}` });
      }
      checkFeed(v, x);
      scope.local.set(v.name, x);
    }
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((v) => v.name === name)) throw new InputError(`unknown input '${name}'`, { hint: `the model takes ${names()}` });
    }
    const meter: RunMeter = { nodes: 0, live: 0, peak: 0 };
    this.program.run(scope, meter);
    this.lastStats = { nodes: meter.nodes, peakBytes: meter.peak };
    const result: Record<string, Value> = {};
    for (const o of this.graph.outputs) result[o.name] = scope.get(o.name)!;
    return result;
  }
}

/** A feed must have the kind, dtype and (for tensors) shape the input declares. */
export function checkFeed(v: ValueInfo, x: Value): void {
  const kind = v.kind ?? 'tensor';
  const got = x instanceof Tensor ? 'tensor' : x instanceof TensorSequence ? 'sequence' : x.elem === 'sequence' ? 'optional-sequence' : 'optional';
  if (got !== kind) throw new InputError(`input '${v.name}' must be a ${kind} value, got ${describeValue(x)}`);
  const dtype = x instanceof Tensor ? x.dtype : x.elemDtype;
  if (dtype !== v.dtype) throw new InputError(`input '${v.name}' must be ${v.dtype}, got ${dtype}`);
  if (x instanceof Tensor) bindShape(v, x.shape); // throws on a rank or fixed-dim mismatch
}
