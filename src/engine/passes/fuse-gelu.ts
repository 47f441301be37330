// GELU written out in primitives — x/2·(1 + erf(x/√2)) (Div or Mul by √2 → Erf → Add 1 → Mul x →
// Mul 0.5, in any order the exporter chose) or the tanh form — becomes, once fuse-pointwise has
// merged the chain into one pointwise layer of one tensor, the gelu activation of that tensor;
// then, like any activation, it moves into the epilogue of the conv/gemm that produced the tensor
// (an int8 layer's: fuse-int8-epilogue.ts). A chain that ends in a quantize keeps it.
// The expression is recognised by value: it must contain erf (or tanh) and agree with GELU at
// sample points spread over where it bends and saturates.
import { erf } from '../../ops/_kernels/erf.js';
import { outerQuantize, quantizeExpr } from '../layers/quantize.js';
import type { Activation, Network, PointwiseLayer, PwExpr } from '../network.js';
import { EPILOGUE_RULES } from './fuse-epilogue.js';
import type { EnginePass } from './pass.js';
import { applyPairRules } from './pass.js';
import { act, input, isConstOperand } from './pw-expr.js';

const SAMPLES = Array.from({ length: 41 }, (_, i) => -6 + i * 0.3 + 0.013);

const geluExact = (x: number) => 0.5 * x * (1 + erf(x * Math.SQRT1_2));
const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

/** Value of `e` with every input leaf = x; NaN where the expression uses something else. */
function evaluate(e: PwExpr, x: number): number {
  switch (e.op) {
    case 'input': return x;
    case 'const': return e.value;
    case 'unary': {
      const v = evaluate(e.arg, x);
      const f: Record<string, (t: number) => number> = { Neg: (t) => -t, Abs: Math.abs, Exp: Math.exp, Log: Math.log, Sqrt: Math.sqrt, Reciprocal: (t) => 1 / t, Erf: erf, Tanh: Math.tanh };
      return e.attrs && Object.keys(e.attrs).length ? NaN : f[e.fn]?.(v) ?? NaN;
    }
    case 'act': return e.act.kind === 'tanh' ? Math.tanh(evaluate(e.arg, x)) : NaN;
    case 'binary': {
      const a = evaluate(e.a, x);
      const b = evaluate(e.b, x);
      switch (e.fn) {
        case 'add': return a + b;
        case 'sub': return a - b;
        case 'mul': return a * b;
        case 'div': return a / b;
        case 'pow': return a ** b;
        case 'max': return Math.max(a, b);
        case 'min': return Math.min(a, b);
      }
    }
  }
}

function uses(e: PwExpr, what: (n: PwExpr) => boolean): boolean {
  if (what(e)) return true;
  if (e.op === 'unary' || e.op === 'act') return uses(e.arg, what);
  if (e.op === 'binary') return uses(e.a, what) || uses(e.b, what);
  return false;
}

/** The GELU form a pointwise layer of one tensor computes, if any. */
export function geluOf(l: PointwiseLayer): Activation | undefined {
  if (l.inputs.length !== 1 || isConstOperand(l.inputs[0]!)) return undefined;
  if (l.expr.op === 'act') return undefined; // already an activation
  const form = uses(l.expr, (n) => n.op === 'unary' && n.fn === 'Erf') ? geluExact
    : uses(l.expr, (n) => (n.op === 'act' && n.act.kind === 'tanh') || (n.op === 'unary' && n.fn === 'Tanh')) ? geluTanh : undefined;
  if (!form) return undefined;
  const close = SAMPLES.every((x) => Math.abs(evaluate(l.expr, x) - form(x)) <= 1e-6 + 1e-5 * Math.abs(form(x)));
  return close ? { kind: 'gelu', approximate: form === geluExact ? 'none' : 'tanh' } : undefined;
}

export const fuseGeluPass: EnginePass = {
  name: 'fuse-gelu',
  description: 'recognise GELU chains as the gelu activation and fuse it into conv/gemm epilogues',
  run(net: Network, ctx) {
    for (const l of net.layers) {
      if (l.kind !== 'pointwise') continue;
      // int8 builds: the chain may end in the quantize of the next int8 layer's input
      const q = outerQuantize(l.expr);
      const gelu = geluOf(q ? { ...l, expr: q.arg } : l);
      if (!gelu) continue;
      l.expr = q ? quantizeExpr(q.q, act(gelu, input(0))) : act(gelu, input(0));
      ctx.change(`recognised ${l.from.join(' + ')} as gelu${gelu.kind === 'gelu' && gelu.approximate === 'tanh' ? ' (tanh)' : ''}`);
    }
    const before = new Map(net.layers.map((l) => [l.name, l.from.length]));
    applyPairRules(net, EPILOGUE_RULES, ctx);
    for (const l of net.layers) {
      if ((l.kind === 'conv' || l.kind === 'gemm') && l.from.length !== before.get(l.name)) ctx.change(`fused ${l.from.join(' + ')} → ${l.kind} ${l.name}`);
    }
  },
};
