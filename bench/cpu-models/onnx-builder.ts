// A small ONNX graph writer for the benchmark models that are not in nnrt's zoo (BERT, an OCR
// recognizer): initializers, nodes with typed attributes, inputs and outputs, encoded with nnrt's
// ONNX protobuf schema. Names are made unique by a counter, as exporters do.
import { ATTR_TYPE, ModelProto } from '../../src/onnx/proto.js';
import { ONNX_CODE_OF, tensorProtoObject } from '../../src/onnx/tensor-write.js';
import type { DType } from '../../src/tensor/dtype.js';
import { uniformTensor } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** An attribute value: an int, a float ({ f }), ints, floats ({ fs }), or a string. */
export type Attr = number | { f: number } | number[] | { fs: number[] } | string;

function attrProto(name: string, v: Attr): Record<string, unknown> {
  if (typeof v === 'number') return { name, type: ATTR_TYPE.INT, i: v };
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: ATTR_TYPE.INTS, ints: v };
  if ('f' in v) return { name, type: ATTR_TYPE.FLOAT, f: v.f };
  return { name, type: ATTR_TYPE.FLOATS, floats: v.fs };
}

/** A dim: a size, or a name for a symbolic one (an exporter's dynamic axis, e.g. 'batch'). */
export type Dim = number | string;

const valueInfo = (name: string, dtype: DType, shape: readonly Dim[]) => ({
  name, type: { tensorType: { elemType: ONNX_CODE_OF[dtype], shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});

export class OnnxBuilder {
  private readonly nodes: Record<string, unknown>[] = [];
  private readonly inits: Record<string, unknown>[] = [];
  private readonly ins: Record<string, unknown>[] = [];
  private readonly outs: Record<string, unknown>[] = [];
  private count = 0;
  private seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  private fresh(base: string): string {
    return `${base}_${this.count++}`;
  }

  input(name: string, dtype: DType, shape: readonly Dim[]): string {
    this.ins.push(valueInfo(name, dtype, shape));
    return name;
  }

  output(name: string, dtype: DType, shape: readonly Dim[]): void {
    this.outs.push(valueInfo(name, dtype, shape));
  }

  /** An initializer holding `t`. */
  constant(base: string, t: Tensor): string {
    const name = this.fresh(base);
    this.inits.push(tensorProtoObject(name, t));
    return name;
  }

  /** A float32 weight uniform in [-scale, scale) (seeded: each weight gets the next seed). */
  weight(base: string, shape: readonly number[], scale: number): string {
    return this.constant(base, uniformTensor(shape, this.seed++, -scale, scale));
  }

  /** A float32 initializer filled with `value`. */
  filled(base: string, shape: readonly number[], value: number): string {
    const n = shape.reduce((a, d) => a * d, 1);
    return this.constant(base, new Tensor('float32', [...shape], new Float32Array(n).fill(value)));
  }

  scalar(value: number): string {
    return this.constant('c', new Tensor('float32', [], new Float32Array([value])));
  }

  ints(values: readonly number[]): string {
    return this.constant('shape', new Tensor('int64', [values.length], BigInt64Array.from(values.map(BigInt))));
  }

  /** Adds a node; returns its outputs' names ('' inputs are omitted optional ones). */
  nodeN(op: string, inputs: readonly string[], outputs: number, attrs: Record<string, Attr> = {}, name = op): string[] {
    const out = Array.from({ length: outputs }, () => this.fresh(name));
    this.nodes.push({
      name: this.fresh(`${name}_node`), opType: op, domain: '', input: [...inputs], output: out,
      attribute: Object.entries(attrs).map(([k, v]) => attrProto(k, v)),
    });
    return out;
  }

  node(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, name = op): string {
    return this.nodeN(op, inputs, 1, attrs, name)[0]!;
  }

  /** Renames the value `from` to the graph output `to` (an Identity, as exporters emit). */
  identity(from: string, to: string): void {
    this.nodes.push({ name: this.fresh('Identity_node'), opType: 'Identity', domain: '', input: [from], output: [to], attribute: [] });
  }

  encode(graphName: string, opset: number): Uint8Array {
    const msg = ModelProto.fromObject({
      irVersion: 8,
      producerName: 'nnrt bench/cpu-models',
      opsetImport: [{ domain: '', version: opset }],
      graph: { name: graphName, node: this.nodes, initializer: this.inits, input: this.ins, output: this.outs },
    });
    return new Uint8Array(ModelProto.encode(msg).finish());
  }
}
