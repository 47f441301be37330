// A network back as an IR graph in ONNX semantics, so that any stage of the engine's rewriting can
// run on the CPU framework and be compared with the original model. Formats are ignored: they
// change where values live, never what they are (fp16 storage rounding is not simulated).
import type { AttrValue, Attrs } from '../ir/attr.js';
import { Graph, ONNX_DOMAIN } from '../ir/graph.js';
import { Tensor } from '../tensor/tensor.js';
import type { Activation, ConvLayer, GemmLayer, Layer, Network, PointwiseLayer, PoolLayer, PwExpr } from './network.js';
import { constantBroadcast, constOperandIndex, isConstOperand } from './passes/pw-expr.js';

const ints = (value: number[]): AttrValue => ({ type: 'ints', value });
const int = (value: number): AttrValue => ({ type: 'int', value });
const float = (value: number): AttrValue => ({ type: 'float', value });

const UNARY_OPS = { neg: 'Neg', abs: 'Abs', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal', floor: 'Floor', ceil: 'Ceil', erf: 'Erf', sin: 'Sin', cos: 'Cos' } as const;
const BINARY_OPS = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', max: 'Max', min: 'Min', pow: 'Pow' } as const;

/** Emits nodes and initializers for one layer, naming intermediates after the layer. */
class Emitter {
  private count = 0;
  constructor(private readonly g: Graph, private readonly net: Network, private readonly layer: Layer) {}

  /** A fresh intermediate value name (`last` gives the layer's output name instead). */
  value(last: boolean): string {
    return last ? this.layer.output : `${this.layer.output}/${this.count++}`;
  }

  node(opType: string, inputs: string[], attrs: Attrs, output: string): string {
    this.g.nodes.push({ name: `${this.layer.name}/${this.g.nodes.length}`, opType, domain: ONNX_DOMAIN, inputs, outputs: [output], attrs });
    return output;
  }

  initializer(suffix: string, t: Tensor): string {
    let name = `${this.layer.name}/${suffix}`;
    for (let k = 1; this.g.initializers.has(name); k++) name = `${this.layer.name}/${suffix}_${k}`;
    this.g.initializers.set(name, t);
    return name;
  }

  shape(t: string): readonly number[] {
    return this.net.tensors.get(t)!.shape;
  }

  /** act(x) as ONNX nodes; `last` names the result the layer's output. */
  activation(a: Activation, x: string, last: boolean): string {
    const out = this.value(last);
    switch (a.kind) {
      case 'none': return last ? this.node('Identity', [x], {}, out) : x;
      case 'relu': return this.node('Relu', [x], {}, out);
      case 'leakyrelu': return this.node('LeakyRelu', [x], { alpha: float(a.alpha) }, out);
      case 'clip': {
        const lo = this.initializer('clip.min', Tensor.fromArray([], [a.min]));
        const hi = this.initializer('clip.max', Tensor.fromArray([], [a.max]));
        return this.node('Clip', [x, lo, hi], {}, out);
      }
      case 'sigmoid': return this.node('Sigmoid', [x], {}, out);
      case 'tanh': return this.node('Tanh', [x], {}, out);
      case 'hardsigmoid': return this.node('HardSigmoid', [x], { alpha: float(a.alpha), beta: float(a.beta) }, out);
      case 'hardswish': return this.node('HardSwish', [x], {}, out);
      case 'silu': return this.node('Mul', [x, this.node('Sigmoid', [x], {}, this.value(false))], {}, out);
    }
  }

  /** y = act(core + residual): the shared epilogue of conv and gemm. */
  epilogue(l: ConvLayer | GemmLayer, core: string): void {
    const summed = l.residual ? this.node('Add', [core, l.residual], {}, this.value(l.act.kind === 'none')) : core;
    if (l.act.kind !== 'none') this.activation(l.act, summed, true);
  }
}

function lowerConv(e: Emitter, l: ConvLayer): void {
  const oneD = e.shape(l.input).length === 3;
  const [o, i, kh, kw] = l.weightShape;
  const w = e.initializer('W', new Tensor('float32', oneD ? [o, i, kw] : [o, i, kh, kw], l.weights));
  const inputs = [l.input, w, ...(l.bias ? [e.initializer('B', new Tensor('float32', [o], l.bias))] : [])];
  const attrs: Attrs = oneD
    ? { group: int(l.group), strides: ints([l.strides[1]]), pads: ints([l.pads[1], l.pads[3]]), dilations: ints([l.dilations[1]]) }
    : { group: int(l.group), strides: ints([...l.strides]), pads: ints([...l.pads]), dilations: ints([...l.dilations]) };
  e.epilogue(l, e.node('Conv', inputs, attrs, e.value(!l.residual && l.act.kind === 'none')));
}

function lowerGemm(e: Emitter, l: GemmLayer): void {
  const w = e.initializer('W', new Tensor('float32', [l.k, l.n], l.weights));
  const inputs = [l.input, w, ...(l.bias ? [e.initializer('B', new Tensor('float32', [l.n], l.bias))] : [])];
  e.epilogue(l, e.node('Gemm', inputs, {}, e.value(!l.residual && l.act.kind === 'none')));
}

function lowerPool(e: Emitter, l: PoolLayer): void {
  const oneD = e.shape(l.input).length === 3;
  const pick = (v: readonly number[]) => (oneD ? [v[1]!] : [...v]);
  const attrs: Attrs = {
    kernel_shape: ints(pick(l.kernel)), strides: ints(pick(l.strides)), dilations: ints(pick(l.dilations)),
    pads: ints(oneD ? [l.pads[1], l.pads[3]] : [...l.pads]),
    ...(l.op === 'avg' ? { count_include_pad: int(l.countIncludePad ? 1 : 0) } : {}),
  };
  e.node(l.op === 'max' ? 'MaxPool' : 'AveragePool', [l.input], attrs, l.output);
}

/** A constant operand as an initializer shaped to broadcast like the kernels read it. */
function constantInitializer(e: Emitter, l: PointwiseLayer, operand: string): string {
  const values = l.constants![constOperandIndex(operand)]!;
  const out = e.shape(l.output);
  const kind = constantBroadcast(values.length, out);
  const shape = kind === 'same' ? [...out] : kind === 'channel' ? [values.length, ...out.slice(2).map(() => 1)] : [1];
  return e.initializer(`c${operand.slice(6)}`, new Tensor('float32', shape, values));
}

function lowerPointwise(e: Emitter, l: PointwiseLayer): void {
  const operands = l.inputs.map((v) => (isConstOperand(v) ? constantInitializer(e, l, v) : v));
  const emit = (x: PwExpr, last: boolean): string => {
    switch (x.op) {
      case 'input': return last ? e.node('Identity', [operands[x.index]!], {}, l.output) : operands[x.index]!;
      case 'const': {
        const c = e.initializer('k', Tensor.fromArray([], [x.value]));
        return last ? e.node('Identity', [c], {}, l.output) : c;
      }
      case 'unary': return e.node(UNARY_OPS[x.fn], [emit(x.arg, false)], {}, e.value(last));
      case 'binary': return e.node(BINARY_OPS[x.fn], [emit(x.a, false), emit(x.b, false)], {}, e.value(last));
      case 'act': return e.activation(x.act, emit(x.arg, false), last);
    }
  };
  emit(l.expr, true);
}

/** The network as an ONNX-semantics graph over the same input and output names. */
export function lowerNetwork(net: Network): Graph {
  const g = new Graph({ name: 'engine-network', opsets: new Map([[ONNX_DOMAIN, 18]]) });
  g.inputs = net.inputs.map((name) => ({ name, dtype: 'float32', shape: [...net.tensors.get(name)!.shape] }));
  g.outputs = net.outputs.map((name) => ({ name, dtype: 'float32', shape: [...net.tensors.get(name)!.shape] }));
  for (const l of net.layers) {
    const e = new Emitter(g, net, l);
    switch (l.kind) {
      case 'conv': lowerConv(e, l); break;
      case 'gemm': lowerGemm(e, l); break;
      case 'pool': lowerPool(e, l); break;
      case 'pointwise': lowerPointwise(e, l); break;
      case 'concat': e.node('Concat', [...l.inputs], { axis: int(l.axis) }, l.output); break;
      case 'softmax': e.node(l.log ? 'LogSoftmax' : 'Softmax', [l.input], { axis: int(-1) }, l.output); break;
      case 'reshape': {
        const shape = e.initializer('shape', Tensor.fromNumeric('int64', [e.shape(l.output).length], e.shape(l.output)));
        e.node('Reshape', [l.input, shape], {}, l.output);
        break;
      }
      case 'convert': e.node('Identity', [l.input], {}, l.output); break;
    }
  }
  return g;
}
