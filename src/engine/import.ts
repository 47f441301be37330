// The engine's importer (TensorRT's ONNX parser): an IR graph at fixed input shapes becomes a
// Network of layers. Constant subexpressions are folded first (GRAPH_PIPELINE); every remaining
// node must pass the engine's support predicate (the partitioner's, so the reasons match) and
// becomes one layer. Formats are all PLAIN_F32 here; the layout and precision passes decide them.
import { EngineRefusalError } from './refusal.js';
import { parseAttrs, type AttrSchema, type AttrsOf } from '../ir/attr.js';
import type { Graph, Node } from '../ir/graph.js';
import { nodeWhere } from '../ir/graph.js';
import { inferShapes, type KnownValue } from '../ir/infer.js';
import { topoSort } from '../ir/topo.js';
import { opTyper } from '../ops/typer.js';
import type { OpDef } from '../ops/op.js';
import { AveragePool } from '../ops/averagepool/averagepool.op.js';
import { BatchNormalization } from '../ops/batchnormalization/batchnormalization.op.js';
import { Concat } from '../ops/concat/concat.op.js';
import { Conv, convGeometry } from '../ops/conv/conv.op.js';
import { Gemm } from '../ops/gemm/gemm.op.js';
import { MaxPool } from '../ops/maxpool/maxpool.op.js';
import { Softmax } from '../ops/softmax/softmax.op.js';
import { HardSigmoid, LeakyRelu } from '../ops/unary/unary.op.js';
import { windowOf, windowPads } from '../ops/_kernels/window.js';
import type { Tensor } from '../tensor/tensor.js';
import { PLAIN_F32, type Activation, type Layer, type Network, type PwBinary, type PwExpr, type PwUnary } from './network.js';
import { GRAPH_PIPELINE } from './passes/pipeline.js';
import { act, classifyBroadcast, constant, constOperand, input } from './passes/pw-expr.js';
import { engineSupports } from './support.js';

export interface ImportOptions {
  /** Receives the graph passes' changes ("fold-constants: folded Identity_0 ..."). */
  log?: (line: string) => void;
}

/** What a translator sees of one node. */
interface NodeView {
  node: Node;
  name: string;
  /** The node's attributes parsed against its op's schema (defaults filled in). */
  attrs<S extends AttrSchema>(def: OpDef<S>): AttrsOf<S>;
  shape(value: string): readonly number[];
  /** The value's constant tensor (initializer or inferred), if it is one. */
  constant(value: string): Tensor | undefined;
  fail(reason: string): never;
}

type Translator = (n: NodeView) => Layer;

const floats = (t: Tensor): Float32Array => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.numeric()));

/** Builds the engine network for `graph` with the given input shapes; throws UnsupportedError. */
export function importNetwork(graph: Graph, inputShapes: Record<string, number[]>, opts: ImportOptions = {}): Network {
  let g = graph;
  for (const pass of GRAPH_PIPELINE) g = pass.run(g, { change: (line) => opts.log?.(`${pass.name}: ${line}`) });
  const types = inferShapes(g, opTyper, inputShapes);
  const constantOf = (v: string) => g.initializers.get(v) ?? types.get(v)?.value;
  const net: Network = { tensors: new Map(), layers: [], inputs: [], outputs: [] };
  for (const v of g.inputs) {
    if (g.initializers.has(v.name)) continue;
    if (v.dtype !== 'float32') {
      const readers = g.nodes.filter((n) => n.inputs.includes(v.name)).map((n) => n.name);
      throw new EngineRefusalError({ nodes: readers, reason: `input '${v.name}' is ${v.dtype}; the engine takes float32 only`, remedy: 'framework' });
    }
    net.inputs.push(v.name);
    net.tensors.set(v.name, { name: v.name, shape: [...types.get(v.name)!.shape], format: { ...PLAIN_F32 } });
  }
  const names = new Set<string>();
  for (const [i, node] of topoSort(g).entries()) {
    // Values inference already computed (Shape → Gather chains) are constants, not layers.
    if (node.outputs.every((o) => !o || types.get(o)?.value)) continue;
    const verdict = engineSupports(node, types, g);
    if (verdict !== true) throw new EngineRefusalError({ nodes: [node.name], reason: verdict, remedy: 'framework' }, { where: nodeWhere(node), hint: 'let the partitioner leave this node to the framework' });
    let name = node.name || `${node.opType}_${i}`;
    while (names.has(name)) name = `${name}_`;
    names.add(name);
    const view = nodeView(node, name, types, constantOf);
    const translate = TRANSLATORS[node.opType];
    if (!translate) view.fail(`op ${node.opType} has no engine layer`);
    const layer = translate(view);
    net.layers.push(layer);
    net.tensors.set(layer.output, { name: layer.output, shape: [...types.get(layer.output)!.shape], format: { ...PLAIN_F32 } });
  }
  for (const o of g.outputs) {
    if (!net.tensors.has(o.name)) {
      // folded by fold-constants (all its inputs are constants): the node that made it goes back
      const maker = graph.nodes.find((n) => n.outputs.includes(o.name));
      throw new EngineRefusalError({
        nodes: maker ? [maker.name] : [], remedy: 'framework',
        reason: `output '${o.name}' is a constant; the engine computes tensors from its inputs only`,
      }, { hint: 'run it in the framework' });
    }
    net.outputs.push(o.name);
  }
  return net;
}

function nodeView(node: Node, name: string, types: ReadonlyMap<string, KnownValue>, constantOf: (v: string) => Tensor | undefined): NodeView {
  const where = nodeWhere(node);
  return {
    node, name,
    attrs: (def) => parseAttrs(def.attrs, node.attrs, where),
    shape: (v) => types.get(v)!.shape,
    constant: constantOf,
    fail(reason) {
      throw new EngineRefusalError({ nodes: [node.name], reason: `${node.opType}: ${reason}`, remedy: 'framework' }, { where, hint: 'let the partitioner leave this node to the framework' });
    },
  };
}

const base = (n: NodeView) => ({ name: n.name, from: [n.node.name || n.name] });
const io = (n: NodeView) => ({ input: n.node.inputs[0]!, output: n.node.outputs[0]! });

function conv(n: NodeView): Layer {
  const [x, w, b] = n.node.inputs;
  const xs = n.shape(x!);
  const weights = n.constant(w!) ?? n.fail('weights are not a constant');
  const bias = b ? (n.constant(b) ?? n.fail('bias is not a constant')) : undefined;
  const attrs = n.attrs(Conv);
  const { window } = convGeometry(xs, weights.shape, attrs);
  const pads = windowPads(xs.slice(2), n.shape(n.node.outputs[0]!).slice(2), window);
  const ws = weights.shape;
  const twoD = xs.length === 4;
  return {
    kind: 'conv', ...base(n), ...io(n),
    weights: floats(weights),
    weightShape: [ws[0]!, ws[1]!, twoD ? ws[2]! : 1, ws[twoD ? 3 : 2]!],
    ...(bias ? { bias: floats(bias) } : {}),
    act: { kind: 'none' },
    group: attrs.group,
    strides: twoD ? [window.strides[0]!, window.strides[1]!] : [1, window.strides[0]!],
    pads: twoD ? [pads[0]!, pads[1]!, pads[2]!, pads[3]!] : [0, pads[0]!, 0, pads[1]!],
    dilations: twoD ? [window.dilations[0]!, window.dilations[1]!] : [1, window.dilations[0]!],
  };
}

/** Gemm/MatMul with a constant B: W = alpha·B' as [K, N], bias = beta·C as [N]. */
function gemm(n: NodeView): Layer {
  const [a, bName, cName] = n.node.inputs;
  const at = n.node.opType === 'Gemm' ? n.attrs(Gemm) : { alpha: 1, beta: 1, transA: 0, transB: 0 };
  if (at.transA) n.fail('transA = 1 is not supported');
  if (n.shape(a!).length !== 2) n.fail(`A must be a matrix, got rank ${n.shape(a!).length}`);
  const b = n.constant(bName!) ?? n.fail('B is not a constant');
  if (b.shape.length !== 2) n.fail(`B must be a matrix, got rank ${b.shape.length}`);
  const [k, nOut] = at.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  const bv = b.numeric();
  const weights = new Float32Array(k * nOut);
  for (let i = 0; i < k; i++) for (let j = 0; j < nOut; j++) weights[i * nOut + j] = at.alpha * bv[at.transB ? j * k + i : i * nOut + j]!;
  let bias: Float32Array | undefined;
  if (cName) {
    const c = n.constant(cName) ?? n.fail('C is not a constant');
    const cs = c.shape;
    const perColumn = cs.length <= 2 && cs.every((d, i) => (i === cs.length - 1 ? d === 1 || d === nOut : d === 1));
    if (!perColumn) n.fail(`C of shape [${cs.join(',')}] does not broadcast to [${nOut}]`);
    const cv = c.numeric();
    bias = Float32Array.from({ length: nOut }, (_, j) => at.beta * cv[cv.length === 1 ? 0 : j]!);
  }
  return { kind: 'gemm', ...base(n), ...io(n), weights, k, n: nOut, ...(bias ? { bias } : {}), act: { kind: 'none' } };
}

/** Inference BatchNormalization: x·a + s with a = scale/√(var+ε), s = B − mean·a, per channel. */
function batchNorm(n: NodeView): Layer {
  const [x, ...params] = n.node.inputs;
  const [scale, b, mean, variance] = params.map((p) => floats(n.constant(p) ?? n.fail(`${p} is not a constant`)));
  const eps = n.attrs(BatchNormalization).epsilon;
  const a = scale!.map((s, c) => s / Math.sqrt(variance![c]! + eps));
  const shift = b!.map((v, c) => v - mean![c]! * a[c]!);
  return {
    kind: 'pointwise', ...base(n), inputs: [x!, constOperand(0), constOperand(1)], output: n.node.outputs[0]!,
    expr: { op: 'binary', fn: 'add', a: { op: 'binary', fn: 'mul', a: input(0), b: input(1) }, b: input(2) },
    constants: [a, shift],
  };
}

/** One-input pointwise layer computing `expr` of input 0. */
const unaryLayer = (n: NodeView, expr: PwExpr): Layer => ({ kind: 'pointwise', ...base(n), inputs: [n.node.inputs[0]!], output: n.node.outputs[0]!, expr });

const activation = (f: (n: NodeView) => Activation): Translator => (n) => unaryLayer(n, act(f(n), input(0)));

function clipBounds(n: NodeView): Activation {
  const bound = (i: number, fallback: number) => {
    const v = n.node.inputs[i];
    if (!v) return fallback;
    const t = n.constant(v) ?? n.fail(`${i === 1 ? 'min' : 'max'} is not a constant`);
    return t.numeric()[0]!;
  };
  return { kind: 'clip', min: bound(1, -Infinity), max: bound(2, Infinity) };
}

const unaryMath = (fn: PwUnary): Translator => (n) => unaryLayer(n, { op: 'unary', fn, arg: input(0) });

/** Elementwise binary (or n-ary Max/Min, folded left) over tensors and constants. */
const binary = (fn: PwBinary): Translator => (n) => {
  const out = n.shape(n.node.outputs[0]!);
  const inputs: string[] = [];
  const constants: Float32Array[] = [];
  const operand = (v: string): PwExpr => {
    const c = n.constant(v);
    const kind = classifyBroadcast(c ? c.shape : n.shape(v), out);
    if (!kind) n.fail(`operand ${v} of shape [${n.shape(v).join(',')}] does not broadcast to [${out.join(',')}] as same shape, one element or per channel`);
    if (c && kind === 'scalar') return constant(c.numeric()[0]!);
    if (c) {
      constants.push(floats(c));
      inputs.push(constOperand(constants.length - 1));
      return input(inputs.length - 1);
    }
    const at = inputs.indexOf(v);
    return input(at >= 0 ? at : inputs.push(v) - 1);
  };
  const operands = n.node.inputs.map(operand);
  if (!inputs.some((v) => !v.startsWith('const:'))) n.fail('every operand is a constant');
  const expr = operands.slice(1).reduce((a, b): PwExpr => ({ op: 'binary', fn, a, b }), operands[0]!);
  return { kind: 'pointwise', ...base(n), inputs, output: n.node.outputs[0]!, expr, ...(constants.length ? { constants } : {}) };
};

/** MaxPool/AveragePool: explicit pads (auto_pad and ceil_mode resolved) for the known output. */
function pool(n: NodeView): Layer {
  const a = n.node.opType === 'MaxPool' ? { ...n.attrs(MaxPool), count_include_pad: 0 } : n.attrs(AveragePool);
  const xs = n.shape(n.node.inputs[0]!);
  const spatial = xs.slice(2);
  const out = n.shape(n.node.outputs[0]!).slice(2);
  const window = windowOf(a, a.kernel_shape);
  const pads = windowPads(spatial, out, window);
  const r = spatial.length;
  const countIncludePad = !!a.count_include_pad;
  for (let i = 0; i < r; i++) {
    const s = window.strides[i]!;
    const extent = (window.kernel[i]! - 1) * window.dilations[i]! + 1;
    const floorOut = (end: number) => Math.floor((spatial[i]! + pads[i]! + end - extent) / s) + 1;
    if (floorOut(pads[i + r]!) === out[i]) continue;
    // ceil_mode: the end padding that makes the plain (floor) formula give the same output.
    const end = (out[i]! - 1) * s + extent - spatial[i]! - pads[i]!;
    if (end < 0 || floorOut(end) !== out[i]) n.fail(`ceil_mode output ${out[i]} of spatial dim ${i} cannot be expressed with explicit padding`);
    if (countIncludePad && end > pads[i + r]!) n.fail('ceil_mode with count_include_pad is not supported');
    pads[i + r] = end;
  }
  const two = (v: number[], fill: number): [number, number] => (r === 2 ? [v[0]!, v[1]!] : [fill, v[0]!]);
  return {
    kind: 'pool', ...base(n), ...io(n), op: n.node.opType === 'MaxPool' ? 'max' : 'avg',
    kernel: two(window.kernel, 1), strides: two(window.strides, 1), dilations: two(window.dilations, 1),
    pads: r === 2 ? [pads[0]!, pads[1]!, pads[2]!, pads[3]!] : [0, pads[0]!, 0, pads[1]!],
    countIncludePad,
  };
}

function globalPool(n: NodeView): Layer {
  const xs = n.shape(n.node.inputs[0]!);
  const kernel: [number, number] = xs.length === 4 ? [xs[2]!, xs[3]!] : [1, xs[2]!];
  return {
    kind: 'pool', ...base(n), ...io(n), op: n.node.opType === 'GlobalMaxPool' ? 'max' : 'avg',
    kernel, strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], countIncludePad: false,
  };
}

function concat(n: NodeView): Layer {
  for (const v of n.node.inputs) if (n.constant(v)) n.fail(`input ${v} is a constant`);
  const rank = n.shape(n.node.outputs[0]!).length;
  const axis = n.attrs(Concat).axis;
  return { kind: 'concat', ...base(n), inputs: [...n.node.inputs], output: n.node.outputs[0]!, axis: axis < 0 ? axis + rank : axis };
}

function softmax(n: NodeView): Layer {
  const rank = n.shape(n.node.inputs[0]!).length;
  const axis = n.attrs(Softmax).axis; // LogSoftmax has the same schema
  if ((axis < 0 ? axis + rank : axis) !== rank - 1) n.fail(`axis ${axis} is not the last axis`);
  return { kind: 'softmax', ...base(n), ...io(n), log: n.node.opType === 'LogSoftmax' };
}

/** Same elements under another shape; Identity and inference Dropout are reshapes to the same shape. */
const reshape: Translator = (n) => ({ kind: 'reshape', ...base(n), ...io(n) });

const TRANSLATORS: Record<string, Translator> = {
  Conv: conv, Gemm: gemm, MatMul: gemm, BatchNormalization: batchNorm,
  Relu: activation(() => ({ kind: 'relu' })),
  LeakyRelu: activation((n) => ({ kind: 'leakyrelu', alpha: n.attrs(LeakyRelu).alpha })),
  Clip: activation(clipBounds),
  Sigmoid: activation(() => ({ kind: 'sigmoid' })),
  Tanh: activation(() => ({ kind: 'tanh' })),
  HardSigmoid: activation((n) => ({ kind: 'hardsigmoid', ...n.attrs(HardSigmoid) })),
  HardSwish: activation(() => ({ kind: 'hardswish' })),
  Add: binary('add'), Sub: binary('sub'), Mul: binary('mul'), Div: binary('div'),
  Max: binary('max'), Min: binary('min'), Pow: binary('pow'),
  Neg: unaryMath('neg'), Abs: unaryMath('abs'), Exp: unaryMath('exp'), Log: unaryMath('log'), Sqrt: unaryMath('sqrt'),
  Reciprocal: unaryMath('reciprocal'), Floor: unaryMath('floor'), Ceil: unaryMath('ceil'), Erf: unaryMath('erf'),
  Sin: unaryMath('sin'), Cos: unaryMath('cos'),
  MaxPool: pool, AveragePool: pool, GlobalAveragePool: globalPool, GlobalMaxPool: globalPool,
  Concat: concat, Softmax: softmax, LogSoftmax: softmax,
  Flatten: reshape, Reshape: reshape, Squeeze: reshape, Unsqueeze: reshape, Identity: reshape, Dropout: reshape,
};
