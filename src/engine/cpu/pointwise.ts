// Pointwise layers (fused elementwise chains) on the CPU engine. The expression tree is compiled
// once, at load, into a tree of closures (no eval or new Function: the core runs in pages with a
// strict CSP) that each process one block of elements with a tight loop; a run walks the output in
// blocks, so every intermediate stays in a small reused buffer. Operands broadcast by the numpy
// rules through per-axis strides (0 on broadcast axes); same-shape operands are block copies.
import { erf } from '../../ops/_kernels/erf.js';
import { elementCount } from '../../tensor/shape.js';
import type { Network, PointwiseLayer, PwBinary, PwExpr } from '../network.js';
import { constantBroadcast, constOperandIndex, isConstOperand, isShaped } from '../passes/pw-expr.js';
import { applyActivation } from './epilogue.js';
import type { CpuCompiler, CpuEnv } from './tactic.js';

const BLOCK = 1024;

/** Writes `len` values of the expression, for output elements [start, start + len), at dst[d...]. */
export type BlockEval = (f: Float32Array, dst: Float32Array, d: number, start: number, len: number) => void;

const sigmoid = (x: number) => {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
};

/** One-input functions the executor computes itself (attribute-free ones; others run lowered). */
const UNARY: Readonly<Record<string, (x: number) => number>> = {
  Neg: (x) => -x, Abs: Math.abs, Exp: Math.exp, Log: Math.log, Sqrt: Math.sqrt, Reciprocal: (x) => 1 / x,
  Erf: erf, Tanh: Math.tanh, Sigmoid: sigmoid, Floor: Math.floor, Ceil: Math.ceil, Sin: Math.sin, Cos: Math.cos,
  Sign: Math.sign, Softsign: (x) => x / (1 + Math.abs(x)), Softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
};

function combine(fn: PwBinary, dst: Float32Array, d: number, b: Float32Array, len: number): void {
  switch (fn) {
    case 'add': for (let i = 0; i < len; i++) dst[d + i]! += b[i]!; return;
    case 'sub': for (let i = 0; i < len; i++) dst[d + i]! -= b[i]!; return;
    case 'mul': for (let i = 0; i < len; i++) dst[d + i]! *= b[i]!; return;
    case 'div': for (let i = 0; i < len; i++) dst[d + i]! /= b[i]!; return;
    case 'max': for (let i = 0; i < len; i++) dst[d + i] = Math.max(dst[d + i]!, b[i]!); return;
    case 'min': for (let i = 0; i < len; i++) dst[d + i] = Math.min(dst[d + i]!, b[i]!); return;
    case 'pow': for (let i = 0; i < len; i++) dst[d + i] = Math.pow(dst[d + i]!, b[i]!); return;
  }
}

/** Reads an operand of `shape` (numpy-broadcast to `out`) at float address `at` into blocks. */
export function gather(at: number, shape: readonly number[], out: readonly number[]): BlockEval {
  const count = elementCount(shape);
  if (count === elementCount(out)) return (f, dst, d, start, len) => dst.set(f.subarray(at + start, at + start + len), d);
  if (count === 1) return (f, dst, d, _s, len) => dst.fill(f[at]!, d, d + len);
  const lead = out.length - shape.length;
  const own = shape.map((_, k) => elementCount(shape.slice(k + 1)));
  const strides = out.map((_, k) => (k < lead || shape[k - lead] === 1 ? 0 : own[k - lead]!));
  const rank = out.length;
  const last = out[rank - 1]!;
  const lastStride = strides[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  return (f, dst, d, start, len) => {
    // the output multi-index of `start`, and the source index there
    let rest = start;
    let src = at;
    for (let k = rank - 1; k >= 0; k--) {
      idx[k] = rest % out[k]!;
      rest = Math.floor(rest / out[k]!);
      src += idx[k]! * strides[k]!;
    }
    let i = 0;
    while (i < len) {
      const run = Math.min(last - idx[rank - 1]!, len - i);
      if (lastStride === 0) dst.fill(f[src]!, d + i, d + i + run);
      else dst.set(f.subarray(src, src + run), d + i);
      i += run;
      src += run * lastStride;
      idx[rank - 1]! += run;
      for (let k = rank - 1; k > 0 && idx[k]! >= out[k]!; k--) {
        src -= idx[k]! * strides[k]!;
        idx[k] = 0;
        idx[k - 1]!++;
        src += strides[k - 1]!;
      }
    }
  };
}

/** The closure tree of `e`, or undefined when it uses a function this executor lacks. */
function compileExpr(e: PwExpr, operands: BlockEval[]): BlockEval | undefined {
  switch (e.op) {
    case 'input': return operands[e.index];
    case 'const': {
      const v = e.value;
      return (_f, dst, d, _s, len) => dst.fill(v, d, d + len);
    }
    case 'unary': {
      const fn = UNARY[e.fn];
      const arg = compileExpr(e.arg, operands);
      if (!fn || !arg || (e.attrs && Object.keys(e.attrs).length)) return undefined;
      return (f, dst, d, start, len) => {
        arg(f, dst, d, start, len);
        for (let i = d; i < d + len; i++) dst[i] = fn(dst[i]!);
      };
    }
    case 'act': {
      const arg = compileExpr(e.arg, operands);
      if (!arg) return undefined;
      const a = e.act;
      return (f, dst, d, start, len) => {
        arg(f, dst, d, start, len);
        applyActivation(dst, d, d + len, a);
      };
    }
    case 'binary': {
      const a = compileExpr(e.a, operands);
      const b = compileExpr(e.b, operands);
      if (!a || !b) return undefined;
      const tmp = new Float32Array(BLOCK);
      const fn = e.fn;
      return (f, dst, d, start, len) => {
        a(f, dst, d, start, len);
        b(f, tmp, 0, start, len);
        combine(fn, dst, d, tmp, len);
      };
    }
  }
}

/** Each operand's address and shape: tensors in the arena, constants placed in memory once. */
function operandSources(l: PointwiseLayer, net: Network, env: CpuEnv): { at: number; shape: readonly number[] }[] {
  const out = net.tensors.get(l.output)!.shape;
  return l.inputs.map((name) => {
    if (!isConstOperand(name)) return { at: env.at(name) / 4, shape: net.tensors.get(name)!.shape };
    const c = l.constants![constOperandIndex(name)]!;
    if (isShaped(c)) return { at: env.mem.put(c.values) / 4, shape: c.shape };
    const kind = constantBroadcast(c.length, out);
    const shape = kind === 'same' ? out : kind === 'channel' ? out.map((d, k) => (k === 1 ? d : 1)) : [1];
    return { at: env.mem.put(c) / 4, shape };
  });
}

export const cpuPointwise: CpuCompiler<PointwiseLayer> = (l, net) => {
  const out = net.tensors.get(l.output)!.shape;
  // check the expression compiles before offering the executor (addresses do not matter here)
  if (!compileExpr(l.expr, l.inputs.map(() => () => {}))) return [];
  const total = elementCount(out);
  return [{
    name: 'blocks',
    scratchBytes: 0,
    prepare(env) {
      const operands = operandSources(l, net, env).map((s) => gather(s.at, s.shape, out));
      const root = compileExpr(l.expr, operands)!;
      const y = env.at(l.output) / 4;
      return () => {
        const f = env.mem.f32();
        for (let s = 0; s < total; s += BLOCK) root(f, f, y + s, s, Math.min(BLOCK, total - s));
      };
    },
  }];
};
