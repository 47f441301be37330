// What the int8 passes share: symmetric int8 weights from float weights, a conv/gemm layer turned
// into an int8 layer (layers/qlinear.ts) reading quantized integers, and the epilogue fusions
// after it (an activation, then the QuantizeLinear of its output: requantization in the epilogue).
import type { QuantInfo } from '../layers/quantize.js';
import { matchQuantize, outerQuantize } from '../layers/quantize.js';
import type { Activation, ConvLayer, GemmLayer, Network, QLinearLayer } from '../network.js';
import { activationOf } from './pw-expr.js';
import { consumers, isBoundary } from './net-utils.js';

/**
 * The step of the int8 grid `values` lie on, when they do: s = max |v| / m for the first m of
 * 127, 128, 126, 125, ..., 1 with every v / s within 10⁻³ of an integer (a folded DequantizeLinear:
 * onnxruntime's and NVIDIA's quantizers take m = 127, PyTorch's symmetric observer 128, a hand-set
 * scale any m); undefined for weights on no such grid.
 */
function gridStep(values: ArrayLike<number>, amax: number): number | undefined {
  if (!(amax > 0)) return undefined;
  const onGrid = (s: number) => {
    for (let i = 0; i < values.length; i++) {
      const r = values[i]! / s;
      if (Math.abs(r - Math.round(r)) > 1e-3) return false;
    }
    return true;
  };
  for (const m of [127, 128, ...Array.from({ length: 126 }, (_, k) => 126 - k)]) {
    const s = Math.fround(amax / m);
    if (onGrid(s)) return s;
  }
  return undefined;
}

/**
 * Symmetric int8 weights, channel c = channelOf(i), q = round(w / s) in [−128, 127]. Weights that
 * are already an int8 grid (a folded DequantizeLinear, per tensor or per channel, whatever its
 * scale) get that grid back exactly; other weights get s_c = max |w_c| / 127 per channel.
 */
export function quantizeWeights(w: Float32Array, channels: number, channelOf: (i: number) => number): { q: Int8Array; scales: Float32Array } {
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)]!, Math.abs(w[i]!));
  const perTensor = gridStep(w, Math.max(...maxAbs));
  let scales: Float32Array;
  if (perTensor !== undefined) scales = Float32Array.of(perTensor);
  else {
    // each channel's own values, gathered only when the tensor as a whole is on no grid
    const members: number[][] = Array.from({ length: channels }, () => []);
    for (let i = 0; i < w.length; i++) members[channelOf(i)]!.push(w[i]!);
    scales = Float32Array.from(maxAbs, (m, c) => (m > 0 ? gridStep(members[c]!, m) ?? Math.fround(m / 127) : 1));
  }
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const s = scales.length === 1 ? scales[0]! : scales[channelOf(i)]!;
    q[i] = Math.max(-128, Math.min(127, Math.round(w[i]! / s)));
  }
  return { q, scales };
}

/** The int8 layer computing `l` from the integers `input` quantized by `x`, or why it stays float. */
export function toQLinear(l: ConvLayer | GemmLayer, input: string, x: QuantInfo): QLinearLayer | string {
  if (l.residual) return 'a fused residual add';
  if (l.act.kind !== 'none' && l.act.kind !== 'relu') return `a fused ${l.act.kind} activation`;
  const channels = l.kind === 'conv' ? l.weightShape[0] : l.n;
  const per = l.weights.length / channels;
  const { q, scales } = quantizeWeights(l.weights, channels, l.kind === 'conv' ? (i) => Math.floor(i / per) : (i) => i % channels);
  let bias: Int32Array | undefined;
  if (l.bias) {
    bias = new Int32Array(channels);
    for (let c = 0; c < channels; c++) {
      const v = Math.round(l.bias[c]! / (x.scale * (scales.length === 1 ? scales[0]! : scales[c]!)));
      if (!(Math.abs(v) < 2 ** 31)) return `bias ${l.bias[c]} of channel ${c} does not fit int32 at scale ${x.scale}`;
      bias[c] = v;
    }
  }
  const common = {
    kind: 'qlinear' as const, name: l.name, from: [...l.from], input, output: l.output, x,
    weights: q, weightScales: scales, ...(bias ? { bias } : {}), relu: l.act.kind === 'relu',
  };
  if (l.kind === 'gemm') return { ...common, op: 'gemm', weightShape: [l.k, l.n] };
  return { ...common, op: 'conv', weightShape: [...l.weightShape], conv: { group: l.group, strides: [...l.strides], pads: [...l.pads], dilations: [...l.dilations] } };
}

/**
 * Folds what follows an int8 layer into its epilogue: one activation (a lone Relu, or GELU, SiLU,
 * HardSwish, ... once recognised), then a lone QuantizeLinear (the layer then writes the
 * requantized integers), or a pointwise layer that is an activation and then a quantize (fused
 * pointwise layers). Returns what it folded, for the log.
 */
export function fuseInt8Epilogue(net: Network, l: QLinearLayer): string[] {
  const done: string[] = [];
  for (;;) {
    if (l.y || isBoundary(net, l.output)) return done;
    const readers = consumers(net).get(l.output) ?? [];
    const next = readers[0];
    if (readers.length !== 1 || next!.kind !== 'pointwise') return done;
    const free = !l.relu && !l.act && next.inputs.length === 1;
    const a = free ? activationOf(next.expr, 0) : undefined;
    const act = a && a.kind !== 'none' ? a : undefined;
    let q = matchQuantize(next);
    let before: Activation | undefined;
    if (!q && free) {
      const m = outerQuantize(next.expr);
      const inner = m ? activationOf(m.arg, 0) : undefined;
      if (m && inner && inner.kind !== 'none') [q, before] = [m.q, inner];
    }
    if (!act && !q) return done;
    const taken = act ?? before;
    if (taken?.kind === 'relu') l.relu = true;
    else if (taken) l.act = taken;
    if (q) l.y = q;
    net.layers.splice(net.layers.indexOf(next), 1);
    net.tensors.delete(l.output);
    l.output = next.output;
    l.from.push(...next.from);
    done.push(`${next.name} (${[taken?.kind, q ? 'requantize' : undefined].filter(Boolean).join(' + ')})`);
  }
}
