import type { AttrValue, Attrs } from './attr.js';
import { Graph, ONNX_DOMAIN, type Dim } from './graph.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** Plain attribute values the builder turns into typed AttrValues. */
export type AttrInput = number | string | number[] | string[] | Tensor | AttrValue;

function toAttr(v: AttrInput, name: string): AttrValue {
  if (typeof v === 'number') return Number.isInteger(v) && !FLOAT_ATTRS.has(name) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'string') return { type: 'strings', value: v as string[] };
    const nums = v as number[];
    return nums.every(Number.isInteger) && !FLOAT_ATTRS.has(name) ? { type: 'ints', value: nums } : { type: 'floats', value: nums };
  }
  if ('type' in v && 'value' in v && typeof v.type === 'string' && !('dtype' in v)) return v as AttrValue;
  return { type: 'tensor', value: v as Tensor };
}
// attributes that are floats even when the value happens to be integral
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'gamma', 'epsilon', 'momentum', 'ratio', 'bias', 'lambd', 'scale', 'spatial_scale', 'extrapolation_value', 'cubic_coeff_a', 'min', 'max', 'value']);

/** Builds IR graphs in code: `const y = b.op('Relu', [x])`. Names are made unique automatically. */
export class GraphBuilder {
  readonly graph: Graph;
  private readonly counts = new Map<string, number>();

  constructor(name = 'graph', opset = 18) {
    this.graph = new Graph({ name, opsets: new Map([[ONNX_DOMAIN, opset]]) });
  }

  /** A unique name with the given prefix. */
  fresh(prefix: string): string {
    const n = this.counts.get(prefix) ?? 0;
    this.counts.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }

  input(name: string, dtype: DType, shape: Dim[]): string {
    this.graph.inputs.push({ name, dtype, shape });
    return name;
  }

  constant(name: string, t: Tensor): string {
    const n = this.fresh(name);
    this.graph.initializers.set(n, t);
    return n;
  }

  /** Adds a node; returns its output names (`outputs` of them, default 1). */
  ops(opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}, outputs = 1, name?: string): string[] {
    const nodeName = this.fresh(name ?? opType.toLowerCase());
    const outs = Array.from({ length: outputs }, (_, i) => (outputs === 1 ? nodeName : `${nodeName}_out${i}`));
    const a: Attrs = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a[k] = toAttr(v, k);
    this.graph.nodes.push({ name: nodeName, opType, domain: ONNX_DOMAIN, inputs, outputs: outs, attrs: a });
    return outs;
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}, name?: string): string {
    return this.ops(opType, inputs, attrs, 1, name)[0]!;
  }

  output(name: string): void {
    this.graph.outputs.push({ name });
  }
}
