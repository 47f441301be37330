// DynamicQuantizeLinear as engine layers: the range of the whole tensor (two reductions), then
// scale, zero point and the quantized values as pointwise layers (ONNX's definition, uint8):
//   s  = (max(x_max, 0) − min(x_min, 0)) / 255, or 1 when that range is 0 (as onnxruntime)
//   zp = clip(round(−min(x_min, 0) / s), 0, 255)
//   y  = clip(round(x / s) + zp, 0, 255)          (round half to even)
// The quantized values are floats holding the integers (see layers/quantize.ts), read by
// MatMulInteger/ConvInteger (layers/integer.ts) with the zero point as a run-time tensor. All
// of it runs in fp32 whatever the build's precision: the scale must be the float32 onnxruntime uses.
import { check } from '../../partition/predicate.js';
import type { PwExpr } from '../network.js';
import { constant, input } from '../passes/pw-expr.js';
import type { OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import type { PointwiseLayer } from './pointwise.js';
import type { ReduceLayer } from './reduce.js';

const bin = (fn: 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min', a: PwExpr, b: PwExpr): PwExpr => ({ op: 'binary', fn, a, b });
const round = (arg: PwExpr): PwExpr => ({ op: 'unary', fn: 'Round', arg });
const clip255 = (e: PwExpr) => bin('min', bin('max', e, constant(0)), constant(255));

/** Scale from inputs (x_max, x_min): the range widened to hold 0, over 255 levels; 1 for a zero range (1 − sign(0)). */
const RANGE: PwExpr = bin('sub', bin('max', input(0), constant(0)), bin('min', input(1), constant(0)));
export const DQL_SCALE: PwExpr = bin('add', bin('div', RANGE, constant(255)), bin('sub', constant(1), { op: 'unary', fn: 'Sign', arg: RANGE }));
/** Zero point from inputs (x_min, scale). */
export const DQL_ZERO_POINT: PwExpr = clip255(round(bin('div', bin('sub', constant(0), bin('min', input(0), constant(0))), input(1))));
/** Quantized values from inputs (x, scale, zero point). */
export const DQL_VALUES: PwExpr = clip255(bin('add', round(bin('div', input(0), input(1))), input(2)));

const rule = check((node, ctx) => {
  const x = ctx.types.get(node.inputs[0] ?? '');
  if (!x) return 'DynamicQuantizeLinear: the shape of the input is not known';
  if (x.dtype !== 'float32') return `DynamicQuantizeLinear: ${x.dtype} input (float32 only)`;
  if (x.shape.some((d) => !Number.isInteger(d) || d <= 0)) return 'DynamicQuantizeLinear: the input shape is not static and non-empty';
  return undefined;
});

function translate(n: NodeView): (ReduceLayer | PointwiseLayer)[] {
  const x = n.node.inputs[0]!;
  const rank = n.shape(x).length;
  const [y, s, z] = [0, 1, 2].map((i) => n.node.outputs[i] || n.intermediate(['y', 'scale', 'zero_point'][i]!, i === 0 ? n.shape(x) : []));
  const mn = n.intermediate('min', []);
  const mx = n.intermediate('max', []);
  const axes = Array.from({ length: rank }, (_, i) => i);
  const from = base(n).from;
  const layer = <L>(suffix: string, l: L) => ({ name: `${n.name}/${suffix}`, from: [...from], precision: 'fp32' as const, ...l });
  const reduce = (fn: 'min' | 'max', output: string): ReduceLayer => layer(fn, { kind: 'reduce' as const, input: x, output, fn, axes });
  const pw = (suffix: string, inputs: string[], output: string, expr: PwExpr): PointwiseLayer => layer(suffix, { kind: 'pointwise' as const, inputs, output, expr });
  // a rank-0 input reduces over no axis: its one element is its own min and max
  const ranges = rank === 0 ? [] : [reduce('min', mn), reduce('max', mx)];
  const [lo, hi] = rank === 0 ? [x, x] : [mn, mx];
  return [
    ...ranges,
    pw('scale', [hi, lo], s!, DQL_SCALE),
    pw('zero_point', [lo, s!], z!, DQL_ZERO_POINT),
    pw('quantize', [x, s!, z!], y!, DQL_VALUES),
  ];
}

export const dynamicQuantizeImporters: Record<string, OpImporter> = {
  DynamicQuantizeLinear: { support: rule, translate },
};
