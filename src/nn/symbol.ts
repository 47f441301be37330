// The symbolic "F" a block's forward is written against: every call appends one IR node through
// GraphBuilder and types it at once with the op's own shape function (so layers can size their
// deferred parameters from the input shape without computing shapes themselves).
import { GraphBuilder, type AttrInput } from '../ir/builder.js';
import type { Graph } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import '../ops/index.js';
import { bindNode, inferNode } from '../ops/typer.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { Parameter } from './parameter.js';

/** A value in the graph being traced, with its inferred type. */
export interface Sym {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** Gluon's activation names and the IR op each maps to. */
export const ACTIVATIONS = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softrelu: 'Softplus', softsign: 'Softsign' } as const;
export type ActType = keyof typeof ACTIVATIONS;

export const TRACE_OPSET = 18;

export class Symbolic {
  private readonly b: GraphBuilder;
  private readonly known = new Map<string, KnownValue>();

  constructor(graphName: string) {
    this.b = new GraphBuilder(graphName, TRACE_OPSET);
  }

  get graph(): Graph {
    return this.b.graph;
  }

  input(name: string, dtype: DType, shape: readonly number[]): Sym {
    this.b.input(name, dtype, [...shape]);
    return this.record(name, { dtype, shape: [...shape] });
  }

  output(x: Sym): void {
    this.b.output(x.name);
  }

  /** A parameter as a graph initializer named by its Gluon name. */
  param(p: Parameter): Sym {
    const t = p.data();
    if (!this.b.graph.initializers.has(p.name)) this.b.graph.initializers.set(p.name, t);
    return this.record(p.name, { dtype: t.dtype, shape: [...t.shape], value: t });
  }

  constant(name: string, t: Tensor): Sym {
    const n = this.b.constant(name, t);
    return this.record(n, { dtype: t.dtype, shape: [...t.shape], value: t });
  }

  /** Appends a node with one output. `name` is the node name (made unique). */
  op(opType: string, inputs: (Sym | undefined)[], attrs: Record<string, AttrInput> = {}, name?: string): Sym {
    return this.ops(opType, inputs, attrs, 1, name)[0]!;
  }

  ops(opType: string, inputs: (Sym | undefined)[], attrs: Record<string, AttrInput>, outputs: number, name?: string): Sym[] {
    const names = this.b.ops(opType, inputs.map((s) => s?.name ?? ''), attrs, outputs, name);
    const node = this.b.graph.nodes[this.b.graph.nodes.length - 1]!;
    const types = inferNode(bindNode(node, TRACE_OPSET), inputs.map((s) => (s ? this.known.get(s.name) : undefined)));
    return names.map((n, i) => this.record(n, types[i]!));
  }

  add(a: Sym, b: Sym, name?: string): Sym {
    return this.op('Add', [a, b], {}, name);
  }

  mul(a: Sym, b: Sym, name?: string): Sym {
    return this.op('Mul', [a, b], {}, name);
  }

  activation(x: Sym, act: ActType, name?: string): Sym {
    return this.op(ACTIVATIONS[act], [x], {}, name);
  }

  concat(xs: Sym[], axis: number, name?: string): Sym {
    return this.op('Concat', xs, { axis }, name);
  }

  flatten(x: Sym, name?: string): Sym {
    return this.op('Flatten', [x], { axis: 1 }, name);
  }

  /** x[begin:end] along one axis (MXNet's slice_axis); negative bounds count from the end. */
  sliceAxis(x: Sym, axis: number, begin: number, end: number, name?: string): Sym {
    const c = (what: string, v: number) => this.constant(`${name ?? 'slice'}_${what}`, new Tensor('int64', [1], BigInt64Array.of(BigInt(v))));
    return this.op('Slice', [x, c('starts', begin), c('ends', end), c('axes', axis)], {}, name);
  }

  private record(name: string, t: KnownValue): Sym {
    this.known.set(name, t);
    return { name, dtype: t.dtype, shape: t.shape };
  }
}
