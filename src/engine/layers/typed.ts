// Elementwise layers over integer and bool tensors (and float operands where the op mixes them):
// Cast, the comparisons (bool results), Not/And/Or/Xor, Where with a bool condition, and
// Add/Sub/Mul on integers. Unlike pointwise layers they compute in each operand's own WGSL type
// (i32 for integers and bool 0/1, f32 for floats in any storage), one ONNX op per layer: no pass
// fuses them into float expressions. Integers are i32 on the device, as the framework keeps
// int64 there (inputs beyond 32 bits are refused at the engine's edge); integer Add/Sub/Mul wrap
// at 32 bits like the framework's WebGPU kernels.
import { chain, check, formatShape, type SupportContext, type SupportPredicate } from '../../partition/predicate.js';
import type { Attrs } from '../../ir/attr.js';
import type { Node } from '../../ir/graph.js';
import { DTYPE_ELEMENT_TYPE } from '../../tensor/element-type.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileTyped } from '../kernels/typed.js';
import { netDTypeOf, type LayerBase, type NetDType } from '../network.js';
import { constOperand, constOperandIndex, isConstOperand } from '../passes/pw-expr.js';
import { pointwiseBroadcastOk } from './broadcast.js';
import { int, type Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import type { ReshapeLayer } from './reshape.js';

export const TYPED_OPS = ['Cast', 'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'Where', 'Add', 'Sub', 'Mul'] as const;
export type TypedOp = (typeof TYPED_OPS)[number];

/** A constant operand with its element type (bool as 0/1, integers as i32). */
export interface TypedConstant {
  dtype: NetDType;
  shape: number[];
  values: Float32Array | Int32Array;
}

export interface TypedLayer extends LayerBase {
  kind: 'typed';
  op: TypedOp;
  /** Operands in the ONNX op's order: tensors, or `const:i` for entry i of `constants`. */
  inputs: string[];
  constants?: TypedConstant[];
  output: string;
}

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** A constant tensor as engine values; undefined when an integer does not fit 32 bits. */
function typedConstant(t: Tensor): TypedConstant | undefined {
  const dtype = netDTypeOf(t.dtype);
  if (!dtype) return undefined;
  const nums = t.numeric();
  if (dtype === 'float32') return { dtype, shape: [...t.shape], values: Float32Array.from(nums) };
  if (nums.some((v) => Number(v) < I32_MIN || Number(v) > I32_MAX)) return undefined;
  return { dtype, shape: [...t.shape], values: Int32Array.from(nums, Number) };
}

/** A typed constant back as an IR tensor (its lowering to ONNX). */
export function typedConstantTensor(c: TypedConstant): Tensor {
  return c.dtype === 'float32' ? new Tensor('float32', [...c.shape], Float32Array.from(c.values))
    : c.dtype === 'bool' ? new Tensor('bool', [...c.shape], Uint8Array.from(c.values, (x) => (x ? 1 : 0)))
      : new Tensor('int32', [...c.shape], Int32Array.from(c.values));
}

function translate(n: NodeView): TypedLayer {
  const inputs: string[] = [];
  const constants: TypedConstant[] = [];
  for (const v of n.node.inputs) {
    const c = n.constant(v);
    if (!c) {
      inputs.push(v);
      continue;
    }
    constants.push(typedConstant(c) ?? n.fail(`constant ${v} holds values beyond 32-bit integers`));
    inputs.push(constOperand(constants.length - 1));
  }
  return { kind: 'typed', ...base(n), op: n.node.opType as TypedOp, inputs, output: n.node.outputs[0]!, ...(constants.length ? { constants } : {}) };
}

const dtypeOf = (v: string, ctx: SupportContext) => ctx.types.get(v)?.dtype ?? '?';

/** Every operand and the output have static, non-empty shapes and operands broadcast to the output. */
const shapesBroadcast = check((node, ctx) => {
  const out = ctx.types.get(node.outputs[0] ?? '');
  if (!out || out.shape.some((d) => !Number.isInteger(d) || d <= 0)) return `${node.opType}: the output shape is not static and non-empty`;
  for (const v of node.inputs) {
    const t = ctx.types.get(v);
    if (!t || t.shape.some((d) => !Number.isInteger(d) || d <= 0)) return `${node.opType}: the shape of '${v}' is not static and non-empty`;
    if (!pointwiseBroadcastOk(t.shape, out.shape)) return `${node.opType}: ${formatShape(t.shape)} does not broadcast to ${formatShape(out.shape)}`;
  }
  return undefined;
});

/** Operands `which` (all when omitted) are of the listed dtypes, and so is the output when `out` is given. */
const operands = (dtypes: readonly string[], out?: readonly string[], which?: readonly number[]): SupportPredicate => check((node, ctx) => {
  const idx = which ?? node.inputs.map((_, i) => i);
  for (const i of idx) {
    const d = dtypeOf(node.inputs[i] ?? '', ctx);
    if (!dtypes.includes(d)) return `${node.opType}: operand ${i} is ${d} (the engine takes ${dtypes.join(', ')} here)`;
  }
  const o = dtypeOf(node.outputs[0] ?? '', ctx);
  if (out && !out.includes(o)) return `${node.opType}: a ${o} result (the engine computes ${out.join(', ')} here)`;
  return undefined;
});

const NUMBERS = ['float32', 'int64', 'int32'];
const INTS = ['int64', 'int32'];
const ANY = ['float32', 'int64', 'int32', 'bool'];

/** A constant operand whose integers do not fit 32 bits is declined (the kernels compute in i32). */
const constantsFit = check((node, ctx) => {
  for (const v of node.inputs) {
    const t = ctx.graph.initializers.get(v) ?? ctx.types.get(v)?.value;
    if (t && netDTypeOf(t.dtype) && !typedConstant(t)) return `${node.opType}: constant ${v} holds values beyond 32-bit integers`;
  }
  return undefined;
});

const rule = (...preds: SupportPredicate[]): SupportPredicate => chain(...preds, shapesBroadcast, constantsFit);

/** ONNX element type codes an engine Cast produces exactly: FLOAT, INT32, INT64, BOOL. */
const EXACT_CAST_TARGETS = new Set([1, 6, 7, 9]);

const CAST_RULE = rule(check((node, ctx) => {
  const from = dtypeOf(node.inputs[0] ?? '', ctx);
  const to = dtypeOf(node.outputs[0] ?? '', ctx);
  // bfloat16/float8/float4 values are held as float32 in the IR: only the `to` code says a
  // rounding is due, which the engine does not implement
  if (!netDTypeOf(from) || !netDTypeOf(to)) return `Cast: ${from} → ${to} (the engine casts between float32, int64, int32 and bool)`;
  const code = node.attrs.to;
  if (code?.type !== 'int' || !EXACT_CAST_TARGETS.has(Number(code.value))) {
    return `Cast to ONNX type ${code?.type === 'int' ? String(code.value) : '?'} rounds onto a grid the engine does not implement`;
  }
  return undefined;
}));

/** Cast between the same engine types (float→float, int64↔int32, bool→bool) is a reshape to the same shape. */
function translateCast(n: NodeView): TypedLayer | ReshapeLayer {
  const from = netDTypeOf(n.dtype(n.node.inputs[0]!));
  const to = netDTypeOf(n.dtype(n.node.outputs[0]!));
  if (from === to) return { kind: 'reshape', ...base(n), input: n.node.inputs[0]!, output: n.node.outputs[0]! };
  return translate(n);
}

const typed = (support: SupportPredicate): OpImporter => ({ support, translate });
const compare = typed(rule(operands(NUMBERS, ['bool']), sameOperandTypes));
function sameOperandTypes(node: Node, ctx: SupportContext): true | string {
  const [a, b] = node.inputs.map((v) => dtypeOf(v, ctx));
  return a === b ? true : `${node.opType}: operands of types ${a} and ${b}`;
}
const logic = typed(rule(operands(['bool'], ['bool'])));

export const typedImporters: Record<string, OpImporter> = {
  Cast: { support: CAST_RULE, translate: translateCast },
  Equal: typed(rule(operands(ANY, ['bool']), sameOperandTypes)),
  Less: compare, Greater: compare, LessOrEqual: compare, GreaterOrEqual: compare,
  Not: logic, And: logic, Or: logic, Xor: logic,
  Where: typed(rule(operands(['bool'], undefined, [0]), operands(ANY, ANY, [1, 2]), (node, ctx) => {
    const [x, y] = [dtypeOf(node.inputs[1]!, ctx), dtypeOf(node.inputs[2]!, ctx)];
    return x === y ? true : `Where: branches of types ${x} and ${y}`;
  })),
};

/** Integer Add/Sub/Mul; float ones stay with the pointwise layers (`floatForm`). */
export function withIntegerForm(floatForm: OpImporter): OpImporter {
  const integer = rule(operands(INTS, INTS));
  const isInt = (node: Node, ctx: SupportContext) => INTS.includes(dtypeOf(node.outputs[0] ?? '', ctx));
  return {
    support: (node, ctx) => (isInt(node, ctx) ? integer(node, ctx) : floatForm.support(node, ctx)),
    translate: (n) => (INTS.includes(n.dtype(n.node.outputs[0]!)) ? translate(n) : floatForm.translate(n)),
  };
}

const ONNX_TYPE: Record<NetDType, number> = { float32: DTYPE_ELEMENT_TYPE.float32, int32: DTYPE_ELEMENT_TYPE.int32, bool: DTYPE_ELEMENT_TYPE.bool };

function lower(e: Emitter, l: TypedLayer): void {
  const operand = (v: string) => {
    if (!isConstOperand(v)) return v;
    return e.initializer(`c${v.slice(6)}`, typedConstantTensor(l.constants![constOperandIndex(v)]!));
  };
  const attrs: Attrs = l.op === 'Cast' ? { to: int(ONNX_TYPE[e.dtype(l.output)]) } : {};
  e.node(l.op, l.inputs.map(operand), attrs, l.output);
}

export const typedKind: LayerKindDef<TypedLayer> = {
  inputs: (l) => [...l.inputs],
  renameInputs(l, swap) {
    l.inputs = l.inputs.map(swap);
  },
  clone: (l) => ({ ...l, from: [...l.from], inputs: [...l.inputs], ...(l.constants ? { constants: [...l.constants] } : {}) }),
  lower,
  compile: compileTyped,
};
