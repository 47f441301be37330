// Elementwise layers: an expression tree over operands broadcast to the output by the numpy rules
// (same shape, one element, per channel, or any other broadcast). Imported from the elementwise
// ops, activations and inference BatchNormalization; the fusion passes merge chains of them and fold them into epilogues.
import { BatchNormalization } from '../../ops/batchnormalization/batchnormalization.op.js';
import { Gelu, HardSigmoid, LeakyRelu } from '../../ops/unary/unary.op.js';
import { attrEquals, chain, check, constantInput, declineIf, formatShape, type SupportPredicate } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { parseAttrs, type Attrs } from '../../ir/attr.js';
import { nodeWhere } from '../../ir/graph.js';
import { findOp } from '../../ops/registry.js';
import { unaryF32Ops } from '../../ops/unary/unary.wgsl.js';
import { compilePointwise } from '../kernels/pointwise.js';
import type { Activation, LayerBase, PwBinary, PwExpr, PwUnary } from '../network.js';
import { act, classifyBroadcast, constant, constantBroadcast, constOperand, constOperandIndex, input, isConstOperand, isShaped, type PwConstant } from '../passes/pw-expr.js';
import { float, type Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, floats, type NodeView, type Translator } from './node-view.js';
import { floatData0, floatOnly } from './rules.js';
import { pointwiseBroadcastOk } from './broadcast.js';

export interface PointwiseLayer extends LayerBase {
  kind: 'pointwise';
  inputs: string[];
  output: string;
  expr: PwExpr;
  /** Constant operands (per-channel scale/shift of an unfused BatchNorm...), named `const:i`. */
  constants?: PwConstant[];
}

/** One-input pointwise layer computing `expr` of input 0. */
const unaryLayer = (n: NodeView, expr: PwExpr): PointwiseLayer => ({ kind: 'pointwise', ...base(n), inputs: [n.node.inputs[0]!], output: n.node.outputs[0]!, expr });

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

/** Any one-input elementwise op with an f32 WGSL form, its attributes parsed against its schema. */
const unaryMath = (fn: PwUnary): Translator => (n) => {
  const info = findOp('', fn) ?? n.fail(`op ${fn} is not registered`);
  const parsed = parseAttrs(info.attrs, n.node.attrs, nodeWhere(n.node));
  const attrs = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number | string] => typeof e[1] === 'number' || typeof e[1] === 'string'));
  return unaryLayer(n, { op: 'unary', fn, arg: input(0), ...(Object.keys(attrs).length ? { attrs } : {}) });
};

/** Elementwise binary (or n-ary Max/Min, folded left) over tensors and constants. */
const binary = (fn: PwBinary): Translator => (n) => {
  const out = n.shape(n.node.outputs[0]!);
  const inputs: string[] = [];
  const constants: PwConstant[] = [];
  const operand = (v: string): PwExpr => {
    const c = n.constant(v);
    const shape = c ? c.shape : n.shape(v);
    if (!pointwiseBroadcastOk(shape, out)) n.fail(`operand ${v} of shape [${shape.join(',')}] does not broadcast to [${out.join(',')}]`);
    const kind = classifyBroadcast(shape, out);
    if (c && kind === 'scalar') return constant(c.numeric()[0]!);
    if (c) {
      // same/per-channel constants are told apart by length; any other broadcast keeps its shape
      constants.push(kind ? floats(c) : { values: floats(c), shape: [...c.shape] });
      inputs.push(constOperand(constants.length - 1));
      return input(inputs.length - 1);
    }
    const at = inputs.indexOf(v);
    return input(at >= 0 ? at : inputs.push(v) - 1);
  };
  const operands = n.node.inputs.map(operand);
  if (!inputs.some((v) => !isConstOperand(v))) n.fail('every operand is a constant');
  const expr = operands.slice(1).reduce((a, b): PwExpr => ({ op: 'binary', fn, a, b }), operands[0]!);
  return { kind: 'pointwise', ...base(n), inputs, output: n.node.outputs[0]!, expr, ...(constants.length ? { constants } : {}) };
};

/** PRelu(x, slope) = max(x, 0) + slope · min(x, 0): the operands as Mul would take them, then that expression. */
const prelu: Translator = (n) => {
  const l = binary('mul')(n) as PointwiseLayer;
  const e = l.expr;
  if (e.op !== 'binary') return n.fail('unexpected operands');
  const [x, slope] = [e.a, e.b];
  const bin = (fn: PwBinary, a: PwExpr, b: PwExpr): PwExpr => ({ op: 'binary', fn, a, b });
  return { ...l, expr: bin('add', bin('max', x, constant(0)), bin('mul', slope, bin('min', x, constant(0)))) };
};

/** Inference BatchNormalization: x·a + s with a = scale/√(var+ε), s = B − mean·a, per channel. */
function batchNorm(n: NodeView): PointwiseLayer {
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

const broadcastRule = check((node, ctx) => {
  const out = ctx.types.get(node.outputs[0] ?? '')!;
  for (const name of node.inputs) {
    const s = ctx.types.get(name)!.shape;
    if (!pointwiseBroadcastOk(s, out.shape)) return `${node.opType}: broadcast ${formatShape(s)} against ${formatShape(out.shape)} does not broadcast (numpy rules)`;
  }
  return undefined;
});

const batchNormInference = chain(
  floatData0,
  attrEquals('training_mode', 0, 0),
  declineIf((n) => n.outputs.slice(1).some((o) => o), 'BatchNormalization: running mean/var outputs are not supported'),
  constantInput(1, 'scale'), constantInput(2, 'B'), constantInput(3, 'mean'), constantInput(4, 'var'),
);

const pointwiseBinary = chain(floatOnly, broadcastRule);
const twoOperands = (op: string): SupportPredicate => chain(
  declineIf((n) => n.inputs.length !== 2, (n) => `${op}: ${n.inputs.length} operands (only 2 are supported)`), pointwiseBinary);
const of = (support: SupportPredicate, translate: Translator): OpImporter => ({ support, translate });

export const pointwiseImporters: Record<string, OpImporter> = {
  BatchNormalization: of(batchNormInference, batchNorm),
  Relu: of(floatOnly, activation(() => ({ kind: 'relu' }))),
  LeakyRelu: of(floatOnly, activation((n) => ({ kind: 'leakyrelu', alpha: n.attrs(LeakyRelu).alpha }))),
  Clip: of(chain(floatOnly, constantInput(1, 'min', true), constantInput(2, 'max', true)), activation(clipBounds)),
  Sigmoid: of(floatOnly, activation(() => ({ kind: 'sigmoid' }))),
  Tanh: of(floatOnly, activation(() => ({ kind: 'tanh' }))),
  HardSigmoid: of(floatOnly, activation((n) => ({ kind: 'hardsigmoid', ...n.attrs(HardSigmoid) }))),
  HardSwish: of(floatOnly, activation(() => ({ kind: 'hardswish' }))),
  // ai.onnx Gelu (opset 20) and com.microsoft Gelu (no attributes: the erf form)
  Gelu: of(floatOnly, activation((n) => ({ kind: 'gelu', approximate: n.attrs(Gelu).approximate }))),
  Add: of(pointwiseBinary, binary('add')), Sub: of(pointwiseBinary, binary('sub')),
  Mul: of(pointwiseBinary, binary('mul')), Div: of(pointwiseBinary, binary('div')),
  Max: of(twoOperands('Max'), binary('max')), Min: of(twoOperands('Min'), binary('min')),
  Pow: of(pointwiseBinary, binary('pow')),
  PRelu: of(pointwiseBinary, prelu),
};

/** Every other one-input elementwise op with an f32 form (activations above fuse into epilogues instead). */
for (const op of unaryF32Ops()) pointwiseImporters[op] ??= of(floatOnly, unaryMath(op));

const BINARY_OPS = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', max: 'Max', min: 'Min', pow: 'Pow' } as const;

/** Attribute values back as IR attributes (the unary ops' numeric attributes are floats). */
function attrValues(attrs: PwExprAttrs): Attrs {
  return Object.fromEntries(Object.entries(attrs ?? {}).map(([k, v]) => [k, typeof v === 'number' ? float(v) : { type: 'string', value: v }]));
}
type PwExprAttrs = Extract<PwExpr, { op: 'unary' }>['attrs'];

/** A constant operand as an initializer shaped to broadcast like the kernels read it. */
function constantInitializer(e: Emitter, l: PointwiseLayer, operand: string): string {
  const c = l.constants![constOperandIndex(operand)]!;
  if (isShaped(c)) return e.initializer(`c${operand.slice(6)}`, new Tensor('float32', [...c.shape], c.values));
  const values = c;
  const out = e.shape(l.output);
  const kind = constantBroadcast(values.length, out);
  const shape = kind === 'same' ? [...out] : kind === 'channel' ? [values.length, ...out.slice(2).map(() => 1)] : [1];
  return e.initializer(`c${operand.slice(6)}`, new Tensor('float32', shape, values));
}

function lower(e: Emitter, l: PointwiseLayer): void {
  const operands = l.inputs.map((v) => (isConstOperand(v) ? constantInitializer(e, l, v) : v));
  const emit = (x: PwExpr, last: boolean): string => {
    switch (x.op) {
      case 'input': return last ? e.node('Identity', [operands[x.index]!], {}, l.output) : operands[x.index]!;
      case 'const': {
        const c = e.initializer('k', Tensor.fromArray([], [x.value]));
        return last ? e.node('Identity', [c], {}, l.output) : c;
      }
      case 'unary': return e.node(x.fn, [emit(x.arg, false)], attrValues(x.attrs), e.value(last));
      case 'binary': return e.node(BINARY_OPS[x.fn], [emit(x.a, false), emit(x.b, false)], {}, e.value(last));
      case 'act': return e.activation(x.act, emit(x.arg, false), last);
    }
  };
  emit(l.expr, true);
}

export const pointwiseKind: LayerKindDef<PointwiseLayer> = {
  inputs: (l) => [...l.inputs],
  renameInputs(l, swap) {
    l.inputs = l.inputs.map(swap);
  },
  clone: (l) => ({ ...l, from: [...l.from], inputs: [...l.inputs], ...(l.constants ? { constants: [...l.constants] } : {}) }),
  lower,
  compile: compilePointwise,
};
