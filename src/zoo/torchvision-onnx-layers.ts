// The weight-carrying layers of a torchvision model exported to ONNX, in graph order: convolutions
// (with the bias the exporter folded a following BatchNorm into), the BatchNorms it kept, and linear
// layers (Gemm, or MatMul + Add) with their weight as [out, in]. Constant inputs are followed
// through Identity nodes (the TorchScript exporter routes deduplicated initializers through them).
import { GraphError } from '../errors.js';
import { nodeWhere, type Graph, type Node } from '../ir/graph.js';
import { Tensor } from '../tensor/tensor.js';

type F32 = Tensor<'float32'>;

export interface OnnxBnLayer {
  kind: 'bn';
  node: Node;
  scale: F32;
  bias: F32;
  mean: F32;
  variance: F32;
  epsilon: number;
}

export interface OnnxConvLayer {
  kind: 'conv';
  node: Node;
  weight: F32;
  bias: F32 | undefined;
  strides: number[];
  /** ONNX's [begin…, end…]. */
  pads: number[];
  dilations: number[];
  group: number;
  /** The BatchNormalization fed by this conv alone, when the exporter kept it. */
  bn: OnnxBnLayer | undefined;
}

export interface OnnxLinearLayer {
  kind: 'linear';
  node: Node;
  /** [out, in], as torchvision's nn.Linear and Gluon's Dense store it. */
  weight: F32;
  bias: F32 | undefined;
}

export type OnnxLayer = OnnxConvLayer | OnnxBnLayer | OnnxLinearLayer;

/** 'Conv' node '/layer1/layer1.0/conv1/Conv' [64,64,3,3]: how messages name an ONNX layer. */
export function describeOnnxLayer(l: OnnxLayer): string {
  const shape = l.kind === 'bn' ? l.scale.shape : l.weight.shape;
  return `ONNX ${l.node.opType} '${l.node.name}' [${shape.join(',')}]`;
}

function asFloat32(t: Tensor): F32 {
  return t.dtype === 'float32' ? (t as F32) : Tensor.fromNumeric('float32', t.shape, t.numeric());
}

function transpose2d(t: F32): F32 {
  const [r, c] = t.shape as [number, number];
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j]!;
  return new Tensor('float32', [c, r], out);
}

function scaled(t: F32, k: number): F32 {
  return k === 1 ? t : new Tensor('float32', t.shape, t.data.map((v) => v * k));
}

const intsAttr = (n: Node, name: string, fallback: number[]): number[] => {
  const a = n.attrs[name];
  return a && a.type === 'ints' ? [...a.value] : fallback;
};
const numAttr = (n: Node, name: string, fallback: number): number => {
  const a = n.attrs[name];
  return a && (a.type === 'int' || a.type === 'float') ? a.value : fallback;
};

/** Lists the graph's weight-carrying layers in node order (ONNX keeps nodes topologically sorted). */
export function onnxLayers(graph: Graph): OnnxLayer[] {
  const producers = graph.producers();
  const consumers = graph.consumers();
  /** The constant behind a value (through Identity nodes), or undefined for a computed one. */
  const constant = (v: string | undefined): F32 | undefined => {
    if (!v) return undefined;
    const init = graph.initializers.get(v);
    if (init) return asFloat32(init);
    const p = producers.get(v);
    return p && p.opType === 'Identity' && p.domain === '' ? constant(p.inputs[0]) : undefined;
  };
  const required = (n: Node, i: number, what: string): F32 => {
    const t = constant(n.inputs[i]);
    if (!t) throw new GraphError(`the ${what} is not a constant: the check maps weights stored in the model`, { where: nodeWhere(n) });
    return t;
  };
  const soleConsumer = (n: Node): Node | undefined => {
    const users = consumers.get(n.outputs[0]!) ?? [];
    return users.length === 1 ? users[0] : undefined;
  };

  const bnLayers = new Map<Node, OnnxBnLayer>();
  const bnOf = (n: Node): OnnxBnLayer => {
    let l = bnLayers.get(n);
    if (!l) {
      const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => required(n, i, `BatchNormalization input ${i}`)) as [F32, F32, F32, F32];
      l = { kind: 'bn', node: n, scale, bias, mean, variance, epsilon: numAttr(n, 'epsilon', 1e-5) };
      bnLayers.set(n, l);
    }
    return l;
  };

  const out: OnnxLayer[] = [];
  for (const n of graph.nodes) {
    if (n.domain !== '') continue;
    if (n.opType === 'Conv') {
      const weight = required(n, 1, 'Conv weight');
      const spatial = weight.shape.length - 2;
      const autoPad = n.attrs.auto_pad;
      if (autoPad && autoPad.type === 'string' && autoPad.value !== 'NOTSET') {
        throw new GraphError(`Conv with auto_pad ${autoPad.value} is not mapped`, { where: nodeWhere(n), hint: 'export with explicit pads' });
      }
      const next = soleConsumer(n);
      out.push({
        kind: 'conv', node: n, weight, bias: n.inputs[2] ? required(n, 2, 'Conv bias') : undefined,
        strides: intsAttr(n, 'strides', new Array<number>(spatial).fill(1)),
        pads: intsAttr(n, 'pads', new Array<number>(2 * spatial).fill(0)),
        dilations: intsAttr(n, 'dilations', new Array<number>(spatial).fill(1)),
        group: numAttr(n, 'group', 1),
        bn: next && next.opType === 'BatchNormalization' && next.inputs[0] === n.outputs[0] ? bnOf(next) : undefined,
      });
    } else if (n.opType === 'BatchNormalization') {
      out.push(bnOf(n));
    } else if (n.opType === 'Gemm') {
      if (numAttr(n, 'transA', 0) !== 0) throw new GraphError('Gemm with transA = 1 is not mapped', { where: nodeWhere(n) });
      const b = required(n, 1, 'Gemm weight (input B)');
      const weight = scaled(numAttr(n, 'transB', 0) ? b : transpose2d(b), numAttr(n, 'alpha', 1));
      const c = n.inputs[2] ? required(n, 2, 'Gemm bias (input C)') : undefined;
      const units = weight.shape[0]!;
      if (c && c.size !== units && c.size !== 1) {
        throw new GraphError(`Gemm bias of shape [${c.shape.join(',')}] does not broadcast per output unit (${units})`, { where: nodeWhere(n) });
      }
      const bias = c ? scaled(c.size === units ? c.reshape([units]) : new Tensor('float32', [units], new Float32Array(units).fill(c.data[0]!)), numAttr(n, 'beta', 1)) : undefined;
      out.push({ kind: 'linear', node: n, weight, bias });
    } else if (n.opType === 'MatMul') {
      const b = constant(n.inputs[1]);
      if (!b || b.rank !== 2) continue; // activations times activations: no weight
      const weight = transpose2d(b);
      const add = soleConsumer(n);
      const other = add && add.opType === 'Add' ? add.inputs.find((v) => v !== n.outputs[0]) : undefined;
      const c = constant(other);
      const bias = c && c.size === weight.shape[0] ? c.reshape([c.size]) : undefined;
      out.push({ kind: 'linear', node: n, weight, bias });
    }
  }
  return out;
}
