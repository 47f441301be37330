// QuantizeLinear and DequantizeLinear with per-tensor parameters as pointwise layers. Inside the
// engine a quantized tensor is a float tensor holding the integers themselves (−128..127 or
// 0..255 are exact in f32 and in f16), so Q and DQ are plain elementwise arithmetic that fuses
// with its neighbours; passes/quantize-explicit.ts then turns DQ → Conv/Gemm → Q into int8 layers.
//   Q:  q = min(max(round(x / s) + zp, lo), hi)     (round half to even, as ONNX)
//   DQ: x = (q − zp) · s
import { check, constantOf, type SupportPredicate } from '../../partition/predicate.js';
import type { PwExpr } from '../network.js';
import type { PointwiseLayer } from './pointwise.js';
import type { OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import { constant, input } from '../passes/pw-expr.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Emitter } from './emitter.js';

/** Per-tensor quantization of a tensor: real = scale · (q − zeroPoint), q in [lo, hi]. */
export interface QuantInfo {
  scale: number;
  zeroPoint: number;
  signed: boolean;
}

const bin = (fn: 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min', a: PwExpr, b: PwExpr): PwExpr => ({ op: 'binary', fn, a, b });
const limits = (signed: boolean): [number, number] => (signed ? [-128, 127] : [0, 255]);

export const quantizeExpr = (q: QuantInfo, arg: PwExpr = input(0)): PwExpr => {
  const [lo, hi] = limits(q.signed);
  return bin('min', bin('max', bin('add', { op: 'unary', fn: 'Round', arg: bin('div', arg, constant(q.scale)) }, constant(q.zeroPoint)), constant(lo)), constant(hi));
};
export const dequantizeExpr = (q: Pick<QuantInfo, 'scale' | 'zeroPoint'>): PwExpr => bin('mul', bin('sub', input(0), constant(q.zeroPoint)), constant(q.scale));

const constOf = (e: PwExpr): number | undefined => (e.op === 'const' ? e.value : undefined);
const binOf = (e: PwExpr, fn: string): [PwExpr, PwExpr] | undefined => (e.op === 'binary' && e.fn === fn ? [e.a, e.b] : undefined);
const isInput0 = (e: PwExpr) => e.op === 'input' && e.index === 0;

/** When `e` ends in a quantize (the expression quantizeExpr makes, of any argument): its parameters and that argument. */
export function outerQuantize(e: PwExpr): { q: QuantInfo; arg: PwExpr } | undefined {
  const [mx, hiE] = binOf(e, 'min') ?? [];
  const [add, loE] = (mx && binOf(mx, 'max')) ?? [];
  const [round, zpE] = (add && binOf(add, 'add')) ?? [];
  if (!round || round.op !== 'unary' || round.fn !== 'Round') return undefined;
  const [x, sE] = binOf(round.arg, 'div') ?? [];
  const [lo, hi, zp, scale] = [loE, hiE, zpE, sE].map((c) => (c ? constOf(c) : undefined));
  if (!x || scale === undefined || zp === undefined) return undefined;
  const signed = lo === -128 && hi === 127;
  if (!signed && !(lo === 0 && hi === 255)) return undefined;
  return { q: { scale, zeroPoint: zp, signed }, arg: x };
}

/** The parameters when `l` is exactly a quantize of its one input (the expression quantizeExpr makes). */
export function matchQuantize(l: PointwiseLayer): QuantInfo | undefined {
  if (l.inputs.length !== 1) return undefined;
  const m = outerQuantize(l.expr);
  return m && isInput0(m.arg) ? m.q : undefined;
}

/** The parameters when `l` is exactly a dequantize of its one input. */
export function matchDequantize(l: PointwiseLayer): Pick<QuantInfo, 'scale' | 'zeroPoint'> | undefined {
  if (l.inputs.length !== 1) return undefined;
  const [sub, sE] = binOf(l.expr, 'mul') ?? [];
  const [x, zpE] = (sub && binOf(sub, 'sub')) ?? [];
  const scale = sE && constOf(sE);
  const zeroPoint = zpE && constOf(zpE);
  if (!x || !isInput0(x) || scale === undefined || zeroPoint === undefined) return undefined;
  return { scale, zeroPoint };
}

const INT8_TYPES = new Set(['int8', 'uint8']);

/** Static shapes, the quantized side int8/uint8, the float side float32, scale and zero point constant scalars. */
function quantRule(quantizedSide: 'input' | 'output'): SupportPredicate {
  return check((node, ctx) => {
    const [x, scale, zp] = node.inputs;
    const y = node.outputs[0] ?? '';
    const xt = ctx.types.get(x ?? '');
    const yt = ctx.types.get(y);
    if (!xt || !yt) return `${node.opType}: shapes are not known`;
    if ([xt, yt].some((t) => t.shape.some((d) => !Number.isInteger(d) || d <= 0))) return `${node.opType}: shapes are not static and non-empty`;
    const [qt, ft] = quantizedSide === 'input' ? [xt, yt] : [yt, xt];
    if (!INT8_TYPES.has(qt.dtype)) return `${node.opType}: ${qt.dtype} quantization (the engine's int8 layers take int8 and uint8)`;
    if (ft.dtype !== 'float32') return `${node.opType}: dtype ${ft.dtype} (the engine computes float32)`;
    const s = constantOf(scale ?? '', ctx);
    if (!s) return `${node.opType}: the scale is not a constant`;
    if (s.dtype !== 'float32') return `${node.opType}: a ${s.dtype} scale (float32 only)`;
    const z = zp ? constantOf(zp, ctx) : undefined;
    if (zp && !z) return `${node.opType}: the zero point is not a constant`;
    if (s.size !== 1 || (z && z.size !== 1)) return `${node.opType}: per-axis or blocked quantization of a computed tensor (per-tensor only)`;
    if (!(s.numeric()[0]! > 0)) return `${node.opType}: scale ${s.numeric()[0]} is not positive`;
    return undefined;
  });
}

function params(n: NodeView, quantized: string): QuantInfo {
  const [, scale, zp] = n.node.inputs;
  const s = n.constant(scale!) ?? n.fail('the scale is not a constant');
  const z = zp ? (n.constant(zp) ?? n.fail('the zero point is not a constant')) : undefined;
  const dtype = z?.dtype ?? n.dtype(quantized);
  return { scale: s.numeric()[0]!, zeroPoint: z ? z.numeric()[0]! : 0, signed: dtype === 'int8' };
}

const layer = (n: NodeView, expr: PwExpr): PointwiseLayer => ({ kind: 'pointwise', ...base(n), inputs: [n.node.inputs[0]!], output: n.node.outputs[0]!, expr });

export const quantizeImporters: Record<string, OpImporter> = {
  QuantizeLinear: { support: quantRule('output'), translate: (n) => layer(n, quantizeExpr(params(n, n.node.outputs[0]!))) },
  DequantizeLinear: { support: quantRule('input'), translate: (n) => layer(n, dequantizeExpr(params(n, n.node.inputs[0]!))) },
};

/** ONNX nodes quantizing `v` to the integers of `q` (as floats): Clip(Round(v / scale) + zero point). */
export function quantizeNodes(e: Emitter, v: string, q: QuantInfo, prefix: string, last = false): string {
  const k = (name: string, c: number) => e.initializer(name, Tensor.fromArray([], [c]));
  const [lo, hi] = q.signed ? [-128, 127] : [0, 255];
  const r = e.node('Round', [e.node('Div', [v, k(`${prefix}.scale`, q.scale)], {}, e.value(false))], {}, e.value(false));
  return e.node('Clip', [e.node('Add', [r, k(`${prefix}.zp`, q.zeroPoint)], {}, e.value(false)), k(`${prefix}.lo`, lo), k(`${prefix}.hi`, hi)], {}, e.value(last));
}
