import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Attrs } from './attr.js';
import { implicitInputs } from './subgraph.js';

/** A dimension as declared by a model: a size, or a symbolic name such as 'batch'. */
export type Dim = number | string;

/**
 * What kind of value a name holds: a tensor (the default), a sequence of tensors, an optional
 * tensor or an optional sequence. `dtype` and `shape` always describe the tensors inside.
 */
export type ValueKind = 'tensor' | 'sequence' | 'optional' | 'optional-sequence';

/** A named value's type as declared (graph inputs/outputs) or inferred (intermediates). */
export interface ValueInfo {
  name: string;
  dtype: DType;
  shape: Dim[];
  /** Absent means 'tensor'. */
  kind?: ValueKind;
  /** A subgraph input the model left untyped (ONNX allows it): dtype/shape are placeholders. */
  untyped?: true;
  /**
   * The model declares no shape at all (ONNX allows an unknown rank): `shape` is [] and means
   * nothing; a graph input's shape comes from the tensor fed at run time.
   */
  unknownRank?: boolean;
}

/** A graph output: its type may be left undeclared by the model (ONNX allows it). */
export interface OutputInfo {
  name: string;
  dtype?: DType;
  shape?: Dim[];
  kind?: ValueKind;
}

/** ONNX domain '' (ai.onnx) or 'nnrt' for nnrt's own ops. */
export const ONNX_DOMAIN = '';
export const NNRT_DOMAIN = 'nnrt';

export interface Node {
  name: string;
  opType: string;
  domain: string;
  /** Value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
}

/**
 * A computation graph in ONNX semantics (newest opset form: the importer upgrades older forms).
 * Values are referred to by name. Initializers are constant tensors; graph inputs that have an
 * initializer of the same name are not model inputs.
 */
export class Graph {
  name: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: OutputInfo[];
  initializers: Map<string, Tensor>;
  /** Types of intermediate values, filled by `inferShapes` (or carried from the model file). */
  valueInfo: Map<string, ValueInfo>;
  /** The opsets the graph was written against (domain → version); the importer's source opset. */
  opsets: Map<string, number>;
  /**
   * ONNX element type codes of values whose IR dtype widens the type the model declared
   * (int16 → int32, float8 → float32, int4 → int8, ...). Only such values are listed; ops whose
   * meaning depends on the declared type (QuantizeLinear's saturation range) read it on import.
   */
  onnxTypes: Map<string, number>;

  constructor(init: Partial<Pick<Graph, 'name' | 'nodes' | 'inputs' | 'outputs' | 'initializers' | 'valueInfo' | 'opsets' | 'onnxTypes'>> = {}) {
    this.name = init.name ?? 'graph';
    this.nodes = init.nodes ?? [];
    this.inputs = init.inputs ?? [];
    this.outputs = init.outputs ?? [];
    this.initializers = init.initializers ?? new Map();
    this.valueInfo = init.valueInfo ?? new Map();
    this.opsets = init.opsets ?? new Map([[ONNX_DOMAIN, 18]]);
    this.onnxTypes = init.onnxTypes ?? new Map();
  }

  /** Map value name → the node producing it. */
  producers(): Map<string, Node> {
    const m = new Map<string, Node>();
    for (const n of this.nodes) for (const o of n.outputs) if (o) m.set(o, n);
    return m;
  }

  /**
   * Map value name → nodes consuming it (a node appears once per use). A node whose subgraphs read
   * an enclosing value counts as one of its consumers too (see ir/subgraph.ts).
   */
  consumers(): Map<string, Node[]> {
    const m = new Map<string, Node[]>();
    for (const n of this.nodes) {
      for (const i of [...n.inputs, ...implicitInputs(n).filter((v) => !n.inputs.includes(v))]) {
        if (!i) continue;
        const list = m.get(i);
        if (list) list.push(n);
        else m.set(i, [n]);
      }
    }
    return m;
  }

  /** Type of any named value: graph input, initializer, or inferred intermediate. */
  typeOf(name: string): ValueInfo | undefined {
    const init = this.initializers.get(name);
    if (init) return { name, dtype: init.dtype, shape: [...init.shape] };
    const declared = this.outputs.find((v) => v.name === name);
    const out = declared?.dtype && declared.shape ? { name, dtype: declared.dtype, shape: declared.shape } : undefined;
    return this.inputs.find((v) => v.name === name) ?? this.valueInfo.get(name) ?? out;
  }

  /** A shallow structural copy: new node/array objects, shared tensors. */
  clone(): Graph {
    return new Graph({
      name: this.name,
      nodes: this.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
      inputs: this.inputs.map((v) => ({ ...v, shape: [...v.shape] })),
      outputs: this.outputs.map((v) => ({ ...v, ...(v.shape ? { shape: [...v.shape] } : {}) })),
      initializers: new Map(this.initializers),
      valueInfo: new Map(this.valueInfo),
      opsets: new Map(this.opsets),
      onnxTypes: new Map(this.onnxTypes),
    });
  }
}

export function nodeWhere(n: Pick<Node, 'name' | 'opType' | 'domain'>): string {
  return `node '${n.name}' (${n.domain ? n.domain + '.' : ''}${n.opType})`;
}
