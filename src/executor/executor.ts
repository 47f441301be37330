import { ExecutionError, InputError, NnrtError, ShapeError } from '../errors.js';
import type { Graph, Node } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import { bindShape } from '../ir/infer.js';
import { topoSort } from '../ir/topo.js';
import { verifyGraph } from '../ir/verify.js';
import type { CpuKernel } from '../ops/op.js';
import { getKernel } from '../ops/registry.js';
import { bindNode, inferNode, type BoundNode } from '../ops/typer.js';
import { sameShape } from '../tensor/shape.js';
import { MAX_TENSOR_BYTES, type Tensor } from '../tensor/tensor.js';
import { BYTES_PER_ELEMENT } from '../tensor/dtype.js';
import { assertWithinBudget, checkMemoryBudget, defaultMemoryBudget } from './memory-budget.js';

interface Step {
  bound: BoundNode;
  kernel: CpuKernel;
  /** Values whose last use is this step: released after it runs. */
  release: string[];
}

export interface RunStats {
  /** Nodes executed. */
  nodes: number;
  /** The largest total of live intermediate bytes during the run. */
  peakBytes: number;
}

/**
 * The framework on the CPU: runs a graph node by node and frees each intermediate after its last
 * use. Construction binds every node to its op and kernel, so unsupported ops fail before any run.
 */
export class CpuExecutor {
  readonly graph: Graph;
  private readonly steps: Step[];
  private readonly outputNames: Set<string>;
  lastStats: RunStats = { nodes: 0, peakBytes: 0 };

  private readonly memoryBudget: number;

  constructor(graph: Graph, opts: { memoryBudget?: number } = {}) {
    this.memoryBudget = opts.memoryBudget === undefined ? defaultMemoryBudget() : checkMemoryBudget(opts.memoryBudget);
    verifyGraph(graph);
    this.graph = graph;
    this.outputNames = new Set(graph.outputs.map((o) => o.name));
    const order = topoSort(graph);
    const lastUse = new Map<string, number>();
    order.forEach((n, i) => n.inputs.forEach((v) => v && lastUse.set(v, i)));
    const releaseAt: string[][] = order.map(() => []);
    for (const [v, i] of lastUse) {
      if (!this.outputNames.has(v) && !graph.initializers.has(v)) releaseAt[i]!.push(v);
    }
    this.steps = order.map((node, i) => {
      const bound = bindNode(node, graph.opsets.get(node.domain));
      const kernel = getKernel<CpuKernel>('cpu', node.domain, node.opType);
      if (!kernel) throw new ExecutionError(`no CPU kernel for ${node.opType}`, { where: nodeWhere(node) });
      return { bound, kernel, release: releaseAt[i]! };
    });
  }

  /** Model inputs (graph inputs without an initializer). */
  get inputs() {
    return this.graph.inputs.filter((v) => !this.graph.initializers.has(v.name));
  }

  run(feeds: Record<string, Tensor>): Record<string, Tensor> {
    const env = new Map<string, Tensor>(this.graph.initializers);
    for (const v of this.inputs) {
      const t = feeds[v.name];
      if (!t) throw new InputError(`missing input '${v.name}'`, { hint: `the model takes ${this.inputs.map((i) => i.name).join(', ')}` });
      if (t.dtype !== v.dtype) throw new InputError(`input '${v.name}' must be ${v.dtype}, got ${t.dtype}`);
      bindShape(v, t.shape); // throws InputError-like UsageError on mismatch
      env.set(v.name, t);
    }
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((v) => v.name === name)) {
        throw new InputError(`unknown input '${name}'`, { hint: `the model takes ${this.inputs.map((i) => i.name).join(', ')}` });
      }
    }
    let live = 0;
    let peak = 0;
    for (const step of this.steps) {
      const outs = this.runStep(step, env, live);
      step.bound.node.outputs.forEach((o, k) => {
        if (o && outs[k]) {
          env.set(o, outs[k]!);
          live += outs[k]!.byteLength;
        }
      });
      peak = Math.max(peak, live);
      for (const v of step.release) {
        const t = env.get(v);
        if (t && !this.graph.initializers.has(v)) live -= t.byteLength;
        env.delete(v);
      }
    }
    this.lastStats = { nodes: this.steps.length, peakBytes: peak };
    const result: Record<string, Tensor> = {};
    for (const o of this.graph.outputs) result[o.name] = env.get(o.name)!;
    return result;
  }

  private runStep(step: Step, env: Map<string, Tensor>, live: number): Tensor[] {
    const node: Node = step.bound.node;
    const ins = node.inputs.map((i) => (i ? env.get(i) : undefined));
    try {
      const types = inferNode(step.bound, ins.map((t) => (t ? { dtype: t.dtype, shape: t.shape, value: t } : undefined)));
      let total = 0;
      for (const t of types) {
        const bytes = t.shape.reduce((a, d) => a * d, 1) * BYTES_PER_ELEMENT[t.dtype];
        if (bytes > MAX_TENSOR_BYTES) throw new ShapeError(`output ${t.dtype}[${t.shape.join(',')}] would take ${bytes} bytes, over the limit of ${MAX_TENSOR_BYTES}`);
        total += bytes;
      }
      assertWithinBudget(live, total, this.memoryBudget, `${node.opType} output ${types.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(', ')}`);
      const outs = step.kernel(ins, step.bound.attrs as never, types);
      outs.forEach((t, k) => {
        const want = types[k];
        if (want && (t.dtype !== want.dtype || !sameShape(t.shape, want.shape))) {
          throw new ExecutionError(
            `kernel output ${k} is ${t.dtype}[${t.shape.join(',')}], shape inference said ${want.dtype}[${want.shape.join(',')}]`,
          );
        }
      });
      return outs;
    } catch (e) {
      if (e instanceof NnrtError && e.where) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      const Ctor = e instanceof NnrtError ? (e.constructor as typeof NnrtError) : ExecutionError;
      throw new Ctor(msg, { where: nodeWhere(node), cause: e });
    }
  }
}
