// int8 convolutions and matrix products: y = act(Σ (x − zx)·w + bias) · xs·ws[c], computed with
// int32 accumulation (dot4I8Packed) and either dequantized to float or requantized (y_scale,
// y_zero_point) in the epilogue. The input is a tensor holding the quantized integers (see
// layers/quantize.ts); the weights are symmetric int8, per output channel. Made by the int8
// passes from QuantizeLinear/DequantizeLinear around Conv/Gemm/MatMul (explicit) or from a
// calibration cache (implicit), and imported from QLinearConv and QLinearMatMul.
import { isByteStorage } from '../../devices/webgpu/storage.js';
import { QLinearConv } from '../../ops/qlinearconv/qlinearconv.op.js';
import { convGeometry } from '../../ops/conv/conv.op.js';
import { windowPads } from '../../ops/_kernels/window.js';
import { chain, check, constantInput, constantOf } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { imageDims } from '../kernels/access.js';
import { int8ConvTactics } from '../kernels/matrix/int8-conv.js';
import { int8GemmTactics } from '../kernels/matrix/int8-gemm.js';
import type { LayerCompiler } from '../kernels/tactic.js';
import type { Activation, LayerBase } from '../network.js';
import { int, ints, type Emitter } from './emitter.js';
import { lowerParts } from './gemm.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import { quantizeNodes, type QuantInfo } from './quantize.js';
import { spatial1or2 } from './rules.js';

export interface QLinearConvGeometry {
  group: number;
  strides: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  dilations: [number, number];
}

export interface QLinearLayer extends LayerBase {
  kind: 'qlinear';
  op: 'conv' | 'gemm';
  /** The quantized integers of the input (NCHW image for conv, [..., K] rows for gemm). */
  input: string;
  output: string;
  x: QuantInfo;
  /**
   * The input's zero point is this one-element tensor, computed at run time (DynamicQuantizeLinear
   * → MatMulInteger/ConvInteger); x.zeroPoint is then unused.
   */
  xZeroPoint?: string;
  /**
   * gemm only: the input is the float tensor before quantization, quantized by `x` as the layer
   * reads it (a QuantizeLinear folded in: passes/int8-quantize-on-load.ts).
   */
  quantizesInput?: boolean;
  /** Symmetric int8: conv OIHW [O, I/group, KH, KW] (1-D as KH = 1), gemm [K, N] row-major. */
  weights: Int8Array;
  weightShape: number[];
  /** Per output channel, or one for all. */
  weightScales: Float32Array;
  /** int32, in units of x.scale · weightScales[c]. */
  bias?: Int32Array;
  relu: boolean;
  /** An activation other than ReLU (GELU, SiLU, HardSwish, ...) on the dequantized float, before any requantization. */
  act?: Activation;
  /** A float tensor of the output's shape added to the dequantized value before the activation (ResNet's shortcut). */
  residual?: string;
  /**
   * The residual holds quantized integers (a float tensor holding them, or bytes): it is added as
   * (r − zeroPoint)·scale (passes/int8-residual.ts).
   */
  residualQuant?: { scale: number; zeroPoint: number };
  /**
   * gemm with a float output: sibling products of one input merged into this one
   * (passes/merge-gemms.ts); the columns go to these tensors in order, `n` each; the first is `output`.
   */
  parts?: { output: string; n: number }[];
  /** Requantize the output to these integers; absent: the output is the dequantized float. */
  y?: QuantInfo;
  conv?: QLinearConvGeometry;
}

const compile: LayerCompiler<QLinearLayer> = (l, ctx) => {
  const xt = ctx.tensors.get(l.input)!;
  const yt = ctx.tensors.get(l.output)!;
  // MatMulInteger/ConvInteger write their int32 sums to an i32 tensor (scale 1, nothing after the sum)
  const intOut = yt.dtype === 'int32';
  if (intOut && (l.y || l.relu || l.act || l.x.scale !== 1 || l.weightScales.some((w) => w !== 1))) return `int8 layer ${l.name}: an int32 output with a scale, ReLU or requantization`;
  // bytes (int8-storage pass) when requantizing into a tensor only int8 and pointwise layers read
  const bytesOut = isByteStorage(yt.format.storage);
  // float outputs in f32 or native f16 (f16x2 pairs are not written: the precision pass keeps those f32)
  const halfOut = !intOut && !bytesOut && yt.format.storage === 'f16';
  if (bytesOut ? !l.y || (yt.format.storage === 'i8x4') !== l.y.signed : yt.format.storage !== (intOut ? 'i32' : 'f32') && !halfOut) return `int8 layer ${l.name}: output storage ${yt.format.storage} (${intOut ? 'i32' : l.y ? 'f32, f16 or its bytes' : 'f32 or f16'} only)`;
  const bytesIn = isByteStorage(xt.format.storage);
  if (l.quantizesInput ? bytesIn || l.op !== 'gemm' || l.xZeroPoint : bytesIn ? (xt.format.storage === 'i8x4') !== l.x.signed : xt.format.storage !== 'f32' && xt.format.storage !== 'f16x2') {
    return `int8 layer ${l.name}: input storage ${xt.format.storage}${l.quantizesInput ? ' (a float tensor quantized as it is read: a gemm\'s float input only)' : ''}`;
  }
  const zt = l.xZeroPoint ? ctx.tensors.get(l.xZeroPoint)! : undefined;
  if (zt && (zt.format.storage === 'f16' || zt.shape.reduce((a, d) => a * d, 1) !== 1)) return `int8 layer ${l.name}: zero point ${zt.name} [${zt.shape}] in ${zt.format.storage} (one f32 or f16x2 element only)`;
  const [xNhwc, yNhwc] = [xt, yt].map((t) => t.format.layout === 'nhwc');
  if (l.op === 'gemm' && (xNhwc || yNhwc)) return `int8 layer ${l.name}: NHWC tensors into a matrix product (row-major only)`;
  const rt = l.residual ? ctx.tensors.get(l.residual)! : undefined;
  if (rt && (intOut || rt.shape.join() !== yt.shape.join() || (rt.format.layout === 'nhwc') !== yNhwc || (isByteStorage(rt.format.storage) && !l.residualQuant))) {
    return `int8 layer ${l.name}: residual ${rt.name} [${rt.shape}] ${rt.format.layout}/${rt.format.storage} (a tensor of the output's shape and layout, bytes only when quantized, into a float or requantized output)`;
  }
  const common = {
    name: l.name, input: l.input, output: l.output, x: l.x, weights: l.weights, weightScales: l.weightScales,
    ...(l.bias ? { bias: l.bias } : {}), relu: l.relu, ...(l.act ? { act: l.act } : {}), ...(rt ? { residual: { tensor: rt.name, storage: rt.format.storage, ...(l.residualQuant ? { quant: l.residualQuant } : {}) } } : {}), ...(l.y ? { y: l.y, yFloat: !bytesOut } : {}), ...(bytesIn ? {} : { inputStorage: xt.format.storage }), ...(l.quantizesInput ? { inputQuantize: true } : {}),
    ...(l.xZeroPoint ? { xZeroPoint: { tensor: l.xZeroPoint, storage: ctx.tensors.get(l.xZeroPoint)!.format.storage } } : {}),
    intOut, ...(halfOut ? { halfOut } : {}),
  };
  if (l.op === 'gemm') {
    const [k, n] = l.weightShape as [number, number];
    const m = xt.shape.slice(0, -1).reduce((a, d) => a * d, 1);
    if (xt.shape.at(-1) !== k) return `int8 layer ${l.name}: input [${xt.shape}] has no K = ${k} innermost`;
    if (!l.parts) return int8GemmTactics({ ...common, m, k, n }, ctx.caps);
    if (l.y || l.residual || intOut) return `int8 layer ${l.name}: merged parts with a requantized, residual or int32 output`;
    for (const p of l.parts) {
      const t = ctx.tensors.get(p.output);
      if (!t || t.format.storage !== yt.format.storage || t.format.layout === 'nhwc' || t.shape.at(-1) !== p.n || t.shape.reduce((a, d) => a * d, 1) !== m * p.n) {
        return `int8 layer ${l.name}: part ${p.output} is not ${m} row-major ${yt.format.storage} rows of ${p.n}`;
      }
    }
    return int8GemmTactics({ ...common, m, k, n, parts: l.parts.map((p) => ({ tensor: p.output, n: p.n })) }, ctx.caps);
  }
  const g = l.conv!;
  return int8ConvTactics({
    ...common, inputShape: imageDims(xt), outputShape: imageDims(yt), inputNhwc: xNhwc, outputNhwc: yNhwc,
    weightShape: l.weightShape as [number, number, number, number], ...g,
  }, ctx.caps);
};

/** The float network the layer computes, in ONNX nodes (DQ as Sub/Mul, then Conv/MatMul, then Q). */
function lower(e: Emitter, l: QLinearLayer): void {
  const k = (name: string, v: number) => e.initializer(name, Tensor.fromArray([], [v]));
  const q = l.quantizesInput ? quantizeNodes(e, l.input, l.x, 'xq') : l.input;
  const x = e.node('Mul', [e.node('Sub', [q, l.xZeroPoint ?? k('x.zp', l.x.zeroPoint)], {}, e.value(false)), k('x.scale', l.x.scale)], {}, e.value(false));
  const channels = l.op === 'conv' ? l.weightShape[0]! : l.weightShape[1]!;
  const per = l.weights.length / channels;
  const w = Float32Array.from(l.weights, (q, i) => q * (l.weightScales.length === 1 ? l.weightScales[0]! : l.weightScales[l.op === 'conv' ? Math.floor(i / per) : i % channels]!));
  const scaleOf = (c: number) => l.x.scale * (l.weightScales.length === 1 ? l.weightScales[0]! : l.weightScales[c]!);
  const bias = l.bias ? Float32Array.from(l.bias, (b, c) => b * scaleOf(c)) : undefined;
  let y: string;
  // MatMulInteger/ConvInteger: the float sum, then a Cast to the int32 output
  const intOut = e.dtype(l.output) === 'int32';
  const last = !l.parts && !l.residual && !l.relu && !l.act && !l.y && !intOut;
  if (l.op === 'gemm') {
    y = e.node('MatMul', [x, e.initializer('W', new Tensor('float32', [...l.weightShape], w))], {}, e.value(last && !bias));
    if (bias) y = e.node('Add', [y, e.initializer('B', new Tensor('float32', [channels], bias))], {}, e.value(last));
    if (l.parts) {
      lowerParts(e, y, l.input, l.parts);
      return;
    }
  } else {
    const g = l.conv!;
    const oneD = e.shape(l.input).length === 3;
    const [o, i, kh, kw] = l.weightShape as [number, number, number, number];
    const attrs = oneD
      ? { group: int(g.group), strides: ints([g.strides[1]]), pads: ints([g.pads[1], g.pads[3]]), dilations: ints([g.dilations[1]]) }
      : { group: int(g.group), strides: ints([...g.strides]), pads: ints([...g.pads]), dilations: ints([...g.dilations]) };
    const wName = e.initializer('W', new Tensor('float32', oneD ? [o, i, kw] : [o, i, kh, kw], w));
    y = e.node('Conv', [x, wName, ...(bias ? [e.initializer('B', new Tensor('float32', [o], bias))] : [])], attrs, e.value(last));
  }
  if (intOut) {
    e.node('Cast', [y], { to: int(6) }, l.output);
    return;
  }
  if (l.residual) {
    const q = l.residualQuant;
    const r = q ? e.node('Mul', [e.node('Sub', [l.residual, k('r.zp', q.zeroPoint)], {}, e.value(false)), k('r.scale', q.scale)], {}, e.value(false)) : l.residual;
    y = e.node('Add', [y, r], {}, e.value(!l.relu && !l.act && !l.y));
  }
  if (l.relu) y = e.node('Relu', [y], {}, e.value(!l.y && !l.act));
  if (l.act) y = e.activation(l.act, y, !l.y);
  if (l.y) quantizeNodes(e, y, l.y, 'y', true);
}

export const qlinearKind: LayerKindDef<QLinearLayer> = {
  inputs: (l) => [l.input, ...(l.xZeroPoint ? [l.xZeroPoint] : []), ...(l.residual ? [l.residual] : [])],
  extraOutputs: (l) => (l.parts ? l.parts.slice(1).map((p) => p.output) : []),
  renameInputs(l, swap) {
    l.input = swap(l.input);
    if (l.xZeroPoint) l.xZeroPoint = swap(l.xZeroPoint);
    if (l.residual) l.residual = swap(l.residual);
  },
  clone: (l) => ({
    ...l, from: [...l.from], weightShape: [...l.weightShape], x: { ...l.x }, ...(l.y ? { y: { ...l.y } } : {}), ...(l.residualQuant ? { residualQuant: { ...l.residualQuant } } : {}), ...(l.act ? { act: { ...l.act } } : {}), ...(l.parts ? { parts: l.parts.map((p) => ({ ...p })) } : {}),
    ...(l.conv ? { conv: { ...l.conv, strides: [...l.conv.strides], pads: [...l.conv.pads], dilations: [...l.conv.dilations] } } : {}),
  }),
  lower,
  compile,
  // convolutions read and write channels-last images (16 bytes of a pixel's channels a load);
  // matrix products take rows, and the depthwise kernel planes
  rowMajor: (l) => l.op === 'gemm' || isDepthwise(l),
};

/** A convolution with one input channel per output channel (the direct depthwise kernel's). */
export const isDepthwise = (l: QLinearLayer): boolean => l.op === 'conv' && l.conv!.group === l.weightShape[0] && l.weightShape[1] === 1;

// ---- QLinearConv and QLinearMatMul: the integers in, the integers out ----

/** One value (per-tensor) of a constant, as a number. */
const scalar = (t: Tensor | undefined, fallback: number) => (t ? t.numeric()[0]! : fallback);

/** Weights minus their zero point (per tensor or per output channel `channelOf(i)`) as int8, or why not. */
export function centeredWeights(w: Tensor, zp: Tensor | undefined, channelOf: (i: number) => number): Int8Array | string {
  const wv = w.numeric();
  const zv = zp ? zp.numeric() : [0];
  const out = new Int8Array(wv.length);
  for (let i = 0; i < wv.length; i++) {
    const v = wv[i]! - (zv.length === 1 ? zv[0]! : zv[channelOf(i)]!);
    if (v < -128 || v > 127) return `weight ${i} minus its zero point is ${v}, outside int8`;
    out[i] = v;
  }
  return out;
}

function qparams(n: NodeView, scale: string, zp: string | undefined, dtypeOf: string): QuantInfo {
  const s = n.constant(scale) ?? n.fail(`${scale} is not a constant`);
  const z = zp ? (n.constant(zp) ?? n.fail(`${zp} is not a constant`)) : undefined;
  if (s.size !== 1 || (z && z.size !== 1)) n.fail('per-axis activation quantization is not supported');
  return { scale: scalar(s, 1), zeroPoint: scalar(z, 0), signed: (z?.dtype ?? n.dtype(dtypeOf)) === 'int8' };
}

function weightScales(n: NodeView, scale: string, channels: number): Float32Array {
  const s = (n.constant(scale) ?? n.fail('the weight scale is not a constant')).numeric();
  if (s.length !== 1 && s.length !== channels) n.fail(`${s.length} weight scales for ${channels} output channels`);
  return Float32Array.from(s);
}

/** The int8 conv geometry of node `n` (QLinearConv or ConvInteger attributes), 1-D as KH = 1. */
export function quantizedConvGeometry(n: NodeView, wShape: readonly number[]): { geometry: QLinearConvGeometry; weightShape: number[] } {
  const xShape = n.shape(n.node.inputs[0]!);
  const attrs = n.attrs(QLinearConv);
  const { window } = convGeometry(xShape, wShape, attrs);
  const pads = windowPads(xShape.slice(2), n.shape(n.node.outputs[0]!).slice(2), window);
  const twoD = xShape.length === 4;
  const s = wShape;
  return {
    weightShape: [s[0]!, s[1]!, twoD ? s[2]! : 1, s[twoD ? 3 : 2]!],
    geometry: {
      group: attrs.group,
      strides: twoD ? [window.strides[0]!, window.strides[1]!] : [1, window.strides[0]!],
      pads: twoD ? [pads[0]!, pads[1]!, pads[2]!, pads[3]!] : [0, pads[0]!, 0, pads[1]!],
      dilations: twoD ? [window.dilations[0]!, window.dilations[1]!] : [1, window.dilations[0]!],
    },
  };
}

function qlinearConv(n: NodeView): QLinearLayer {
  const [x, xs, xz, w, ws, wz, ys, yz, b] = n.node.inputs;
  const wt = n.constant(w!) ?? n.fail('the weights are not a constant');
  const per = wt.size / wt.shape[0]!;
  const weights = centeredWeights(wt, wz ? n.constant(wz) : undefined, (i) => Math.floor(i / per));
  if (typeof weights === 'string') n.fail(weights);
  const bias = b ? (n.constant(b) ?? n.fail('the bias is not a constant')) : undefined;
  const { geometry, weightShape } = quantizedConvGeometry(n, wt.shape);
  return {
    kind: 'qlinear', op: 'conv', ...base(n), input: x!, output: n.node.outputs[0]!,
    x: qparams(n, xs!, xz, x!), y: qparams(n, ys!, yz, n.node.outputs[0]!),
    weights, weightShape, weightScales: weightScales(n, ws!, wt.shape[0]!),
    ...(bias ? { bias: Int32Array.from(bias.numeric()) } : {}), relu: false, conv: geometry,
  };
}

function qlinearMatMul(n: NodeView): QLinearLayer {
  const [a, as, az, b, bs, bz, ys, yz] = n.node.inputs;
  const bt = n.constant(b!) ?? n.fail('B is not a constant');
  if (bt.shape.length !== 2) n.fail(`B must be a matrix, got rank ${bt.shape.length}`);
  const cols = bt.shape[1]!;
  const weights = centeredWeights(bt, bz ? n.constant(bz) : undefined, (i) => i % cols);
  if (typeof weights === 'string') n.fail(weights);
  return {
    kind: 'qlinear', op: 'gemm', ...base(n), input: a!, output: n.node.outputs[0]!,
    x: qparams(n, as!, az, a!), y: qparams(n, ys!, yz, n.node.outputs[0]!),
    weights, weightShape: [bt.shape[0]!, cols], weightScales: weightScales(n, bs!, cols), relu: false,
  };
}

/** Quantized data in and out (int8/uint8), static shapes, every parameter a constant. */
export const quantizedIo = (constants: number[]) => check((node, ctx) => {
  const data = [node.inputs[0] ?? '', node.outputs[0] ?? ''];
  for (const v of data) {
    const t = ctx.types.get(v);
    if (!t) return `${node.opType}: the shape of '${v}' is not known`;
    if (t.dtype !== 'int8' && t.dtype !== 'uint8') return `${node.opType}: ${t.dtype} data (int8/uint8 only)`;
    if (t.shape.some((d) => !Number.isInteger(d) || d <= 0)) return `${node.opType}: the shape of '${v}' is not static and non-empty`;
  }
  for (const i of constants) {
    const v = node.inputs[i];
    if (v && !constantOf(v, ctx)) return `${node.opType}: input ${i} (${v}) is not a constant`;
  }
  return undefined;
});

const matmulRanks = check((node, ctx) => {
  const a = ctx.types.get(node.inputs[0] ?? '')?.shape.length ?? 0;
  const b = ctx.types.get(node.inputs[3] ?? '')?.shape.length ?? 0;
  return a >= 2 && b === 2 ? undefined : `QLinearMatMul: A of rank ${a} and B of rank ${b} (A rank ≥ 2 and a constant matrix B only)`;
});

export const qlinearImporters: Record<string, OpImporter> = {
  QLinearConv: { support: chain(quantizedIo([1, 2, 3, 4, 5, 6, 7, 8]), spatial1or2('convolution'), constantInput(3, 'weights')), translate: qlinearConv },
  QLinearMatMul: { support: chain(quantizedIo([1, 2, 3, 4, 5, 6, 7]), matmulRanks), translate: qlinearMatMul },
};
