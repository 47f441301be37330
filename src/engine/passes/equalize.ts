// Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization
// and Bias Correction", §4.1), for int8 builds whose calibration was made on the equalized network
// (`nnrt calibrate --equalize`). For two convolutions A → f → B where f is positively homogeneous
// per channel (f(s·x) = s·f(x) for s > 0: identity, ReLU, LeakyReLU, PReLU with any slopes), dividing
// A's output channel i (weights and bias) by s_i and multiplying B's input channel i by s_i leaves
// the network's function unchanged. With r_a the range (max |w|) of A's output channel and r_b that
// of B's input channel, s_i = √(r_a,i / r_b,i) makes both ranges √(r_a,i · r_b,i): channels that were
// wide in A narrow and vice versa, so the tensor between them (one int8 scale for all channels) no
// longer has a few channels dwarfing the rest. A depthwise convolution is B of one pair and A of the
// next (its channel i is both); sweeps over the pairs repeat until the scales settle.
// r_a stands in for the range of the tensor between A and B. int8 layers quantize weights per output
// channel, which no scaling of A's output channels changes, so what matters is that tensor's range
// itself: when the calibration measured it per channel (x_i, the cache's `#channels` lines), s_i =
// √(x_i / r_b,i) balances the tensor's channel i (x_i / s_i) against B's weights reading it (r_b,i·s_i)
// — the same balance with the measured range in place of the proxy (SmoothQuant's α = ½).
import { CalibrationError } from '../../errors.js';
import type { ConvLayer, Layer, Network, PointwiseLayer, PwExpr } from '../network.js';
import { consumers, isBoundary, tensorInputs } from './net-utils.js';
import type { EnginePass } from './pass.js';
import { isConstOperand } from './pw-expr.js';

/** A → (f) → B: A's output channels are B's input channels. */
export interface EqualizePair {
  a: ConvLayer;
  /** The homogeneous pointwise layer between them, if any. */
  via?: PointwiseLayer;
  b: ConvLayer;
}

/** Sweeps over all pairs at most; each sweep moves every scale closer to its fixed point. */
const MAX_SWEEPS = 1000;
/** A sweep whose scales are all within this of 1 ends the iteration. */
const SETTLED = 1e-3;

/**
 * The degree of `e` as a function of its one tensor operand x under positive scaling: 1 when
 * e(s·x) = s·e(x), 0 when it does not depend on x; undefined otherwise. The constant 0 is both.
 */
function degree(l: PointwiseLayer, e: PwExpr): 0 | 1 | 'zero' | undefined {
  switch (e.op) {
    case 'const': return e.value === 0 ? 'zero' : 0;
    case 'input': return isConstOperand(l.inputs[e.index]!) ? 0 : 1;
    case 'unary': return e.fn === 'Neg' ? degree(l, e.arg) : undefined;
    case 'act': {
      const d = degree(l, e.arg);
      if (d === 0 || d === 'zero') return undefined; // act of a constant: folded elsewhere, not ours
      return d === 1 && (e.act.kind === 'none' || e.act.kind === 'relu' || e.act.kind === 'leakyrelu') ? 1 : undefined;
    }
    case 'binary': {
      const [p, q] = [degree(l, e.a), degree(l, e.b)];
      if (p === undefined || q === undefined) return undefined;
      const one = (d: typeof p) => d === 1 || d === 'zero';
      switch (e.fn) {
        case 'add': case 'sub': case 'max': case 'min':
          if (p === 'zero' && q === 'zero') return 'zero';
          return one(p) && one(q) ? 1 : undefined;
        case 'mul':
          if (p === 'zero' || q === 'zero') return 'zero';
          return p === 1 && q === 1 ? undefined : p === 1 || q === 1 ? 1 : 0;
        case 'div': return q === 0 ? p : undefined;
        default: return undefined;
      }
    }
  }
}

/** True when the layer computes f(x) of one tensor x, elementwise, with f(s·x) = s·f(x) for s > 0. */
export function isPositivelyHomogeneous(l: PointwiseLayer, net: Network): boolean {
  const tensors = l.inputs.filter((n) => !isConstOperand(n));
  if (tensors.length !== 1) return false;
  const [x, y] = [net.tensors.get(tensors[0]!)!.shape, net.tensors.get(l.output)!.shape];
  if (x.length !== y.length || x.some((d, i) => d !== y[i])) return false;
  return degree(l, l.expr) === 1;
}

const homogeneousAct = (c: ConvLayer) => c.act.kind === 'none' || c.act.kind === 'relu' || c.act.kind === 'leakyrelu';

/** The only reader of `tensor`, when it has exactly one and is not a network boundary. */
function soleReader(net: Network, users: Map<string, Layer[]>, tensor: string): Layer | undefined {
  const readers = users.get(tensor);
  return readers?.length === 1 && !isBoundary(net, tensor) ? readers[0] : undefined;
}

/** Every conv → (homogeneous pointwise) → conv pair whose middle tensors nothing else reads. */
export function equalizePairs(net: Network): EqualizePair[] {
  const users = consumers(net);
  const pairs: EqualizePair[] = [];
  for (const a of net.layers) {
    if (a.kind !== 'conv' || a.residual || !homogeneousAct(a)) continue;
    let next = soleReader(net, users, a.output);
    let via: PointwiseLayer | undefined;
    if (next?.kind === 'pointwise' && isPositivelyHomogeneous(next, net)) {
      via = next;
      next = soleReader(net, users, next.output);
    }
    if (next?.kind !== 'conv' || tensorInputs(next)[0] !== (via ?? a).output || next.input !== (via ?? a).output) continue;
    if (next.weightShape[1] * next.group !== a.weightShape[0]) continue;
    pairs.push({ a, ...(via ? { via } : {}), b: next });
  }
  return pairs;
}

/** max |w| over each output channel's weights (OIHW: one contiguous block per output channel). */
export function outputRanges(c: ConvLayer): Float64Array {
  const [o] = c.weightShape;
  const block = c.weights.length / o;
  const r = new Float64Array(o);
  for (let i = 0; i < c.weights.length; i++) r[Math.floor(i / block)] = Math.max(r[Math.floor(i / block)]!, Math.abs(c.weights[i]!));
  return r;
}

/** The input channel weight element i of a conv (OIHW, grouped) reads. */
function inputChannelOf(c: ConvLayer, i: number): number {
  const [o, ig, kh, kw] = c.weightShape;
  const per = ig * kh * kw;
  const out = Math.floor(i / per);
  const group = Math.floor(out / (o / c.group));
  return group * ig + Math.floor((i % per) / (kh * kw));
}

/** max |w| over the weights reading each input channel. */
export function inputRanges(c: ConvLayer): Float64Array {
  const r = new Float64Array(c.weightShape[1] * c.group);
  for (let i = 0; i < c.weights.length; i++) {
    const ch = inputChannelOf(c, i);
    r[ch] = Math.max(r[ch]!, Math.abs(c.weights[i]!));
  }
  return r;
}

/**
 * One conv's weights reduced to what equalization needs, and the scales chosen so far: `r[o·ig + j]`
 * is max |w| over the kernel window of output channel o and its j-th input (of its group), which
 * reads input channel `channel[o·ig + j]`; the equalized weights are w · mul[input] / div[output].
 */
interface Scaled {
  conv: ConvLayer;
  r: Float64Array;
  channel: Int32Array;
  mul: Float64Array;
  div: Float64Array;
}

function scaled(c: ConvLayer): Scaled {
  const [o, ig, kh, kw] = c.weightShape;
  const r = new Float64Array(o * ig);
  const channel = new Int32Array(o * ig);
  for (let i = 0; i < c.weights.length; i++) {
    const at = Math.floor(i / (kh * kw));
    r[at] = Math.max(r[at]!, Math.abs(c.weights[i]!));
  }
  for (let at = 0; at < r.length; at++) channel[at] = inputChannelOf(c, at * kh * kw);
  return { conv: c, r, channel, mul: new Float64Array(ig * c.group).fill(1), div: new Float64Array(o).fill(1) };
}

/** The current ranges of A's output channels and of B's input channels. */
function currentRanges(a: Scaled, b: Scaled): [Float64Array, Float64Array] {
  const ra = new Float64Array(a.div.length);
  const ig = a.r.length / a.div.length;
  for (let at = 0; at < a.r.length; at++) {
    const o = Math.floor(at / ig);
    ra[o] = Math.max(ra[o]!, (a.r[at]! * a.mul[a.channel[at]!]!) / a.div[o]!);
  }
  const rb = new Float64Array(b.mul.length);
  const bg = b.r.length / b.div.length;
  for (let at = 0; at < b.r.length; at++) {
    const k = b.channel[at]!;
    rb[k] = Math.max(rb[k]!, (b.r[at]! * b.mul[k]!) / b.div[Math.floor(at / bg)]!);
  }
  return [ra, rb];
}

/** The conv with its chosen scales applied: new weight and bias arrays (weights may be shared). */
function applyScales(s: Scaled): void {
  const c = s.conv;
  const [, , kh, kw] = c.weightShape;
  const ig = s.r.length / s.div.length;
  c.weights = c.weights.map((w, i) => {
    const at = Math.floor(i / (kh * kw));
    return (w * s.mul[s.channel[at]!]!) / s.div[Math.floor(at / ig)]!;
  });
  if (c.bias) c.bias = c.bias.map((b, o) => b / s.div[o]!);
}

/** The scales equalizing ranges ra (A's outputs) and rb (B's inputs): √(ra/rb), 1 where either is 0. */
const balancing = (ra: Float64Array, rb: Float64Array) => ra.map((a, k) => (a > 0 && rb[k]! > 0 ? Math.sqrt(a / rb[k]!) : 1));

/**
 * Equalizes the pairs in place (sweeping until the scales settle); returns the sweeps made. `act`
 * gives a pair's measured per-channel range of the tensor B reads (before equalization), which then
 * replaces A's weight ranges.
 */
export function equalize(pairs: readonly EqualizePair[], act?: (p: EqualizePair) => Float32Array | undefined): number {
  const state = new Map<ConvLayer, Scaled>();
  const of = (c: ConvLayer) => state.get(c) ?? state.set(c, scaled(c)).get(c)!;
  const work = pairs.map((p) => [of(p.a), of(p.b), act?.(p)] as const);
  let sweep = 1;
  for (; sweep <= MAX_SWEEPS; sweep++) {
    let moved = 0;
    for (const [a, b, x] of work) {
      const [ra, rb] = currentRanges(a, b);
      const s = balancing(x ? Float64Array.from(x, (v, k) => v / a.div[k]!) : ra, rb);
      s.forEach((v, k) => {
        moved = Math.max(moved, Math.abs(Math.log(v)));
        a.div[k]! *= v;
        b.mul[k]! *= v;
      });
    }
    if (moved < SETTLED) break;
  }
  for (const s of state.values()) applyScales(s);
  return Math.min(sweep, MAX_SWEEPS);
}

export const equalizePass: EnginePass = {
  name: 'equalize',
  description: 'int8 build calibrated with --equalize: cross-layer equalization of conv → (ReLU/PReLU) → conv chains',
  run(net, ctx) {
    if (!ctx.equalize) return;
    const pairs = equalizePairs(net);
    if (!pairs.length) return;
    const measured = (p: EqualizePair) => {
      const x = ctx.channelRanges?.get(p.b.input);
      if (x && x.length !== p.a.weightShape[0]) {
        throw new CalibrationError(`the cache's #channels line for tensor '${p.b.input}' has ${x.length} ranges; ${p.a.name} writes ${p.a.weightShape[0]} channels`, { hint: 'calibrate this model again (nnrt calibrate --equalize)' });
      }
      return x;
    };
    const before = pairs.map((p) => spread(outputRanges(p.a)));
    const sweeps = equalize(pairs, measured);
    pairs.forEach((p, i) => {
      const by = measured(p) ? 'measured activation ranges' : 'weight ranges';
      ctx.change(`${p.a.name} → ${p.via ? `${p.via.name} → ` : ''}${p.b.name}: ${p.a.weightShape[0]} channels by ${by}, weight range spread ${before[i]!.toFixed(1)}× → ${spread(outputRanges(p.a)).toFixed(1)}×`);
    });
    ctx.change(`${pairs.length} pairs equalized in ${sweeps} sweeps`);
  },
};

/** Largest over smallest nonzero channel range. */
function spread(r: Float64Array): number {
  const nz = [...r].filter((v) => v > 0);
  return nz.length ? Math.max(...nz) / Math.min(...nz) : 1;
}
