// Transposed convolutions (ONNX ConvTranspose, 1-D and 2-D) with constant weights and bias: the
// decoder/upsampling layer of segmentation and GAN models, and the float layer between the
// DequantizeLinear and QuantizeLinear of a QDQ model around it. Explicit begin/end pads (from
// pads, auto_pad or output_shape); output_padding only shows in the output shape.
import { ConvTranspose, convTransposeGeometry } from '../../ops/convtranspose/convtranspose.op.js';
import { chain, check, constantInput } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { parseAttrs } from '../../ir/attr.js';
import { nodeWhere } from '../../ir/graph.js';
import { compileConvTranspose } from '../kernels/conv-transpose.js';
import type { LayerBase } from '../network.js';
import { int, ints, type Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, floats, io, type NodeView } from './node-view.js';
import { floatOnly, spatial1or2 } from './rules.js';

export interface ConvTransposeLayer extends LayerBase {
  kind: 'convtranspose';
  input: string;
  output: string;
  weights: Float32Array;
  /** [C, M/group, KH, KW] as ONNX stores them (KH = 1 for 1-D). */
  weightShape: [number, number, number, number];
  bias?: Float32Array;
  group: number;
  strides: [number, number];
  /** [top, left, bottom, right], non-negative. */
  pads: [number, number, number, number];
  dilations: [number, number];
}

function translate(n: NodeView): ConvTransposeLayer {
  const [x, w, b] = n.node.inputs;
  const xs = n.shape(x!);
  const weights = n.constant(w!) ?? n.fail('weights are not a constant');
  const bias = b ? (n.constant(b) ?? n.fail('bias is not a constant')) : undefined;
  const attrs = n.attrs(ConvTranspose);
  const { window, pads } = convTransposeGeometry(xs, weights.shape, attrs);
  const ws = weights.shape;
  const twoD = xs.length === 4;
  return {
    kind: 'convtranspose', ...base(n), ...io(n),
    weights: floats(weights),
    weightShape: [ws[0]!, ws[1]!, twoD ? ws[2]! : 1, ws[twoD ? 3 : 2]!],
    ...(bias ? { bias: floats(bias) } : {}),
    group: attrs.group,
    strides: twoD ? [window.strides[0]!, window.strides[1]!] : [1, window.strides[0]!],
    pads: twoD ? [pads[0]!, pads[1]!, pads[2]!, pads[3]!] : [0, pads[0]!, 0, pads[1]!],
    dilations: twoD ? [window.dilations[0]!, window.dilations[1]!] : [1, window.dilations[0]!],
  };
}

/** An output_shape larger than the full result pads it with bias only (negative pads): left to the framework. */
const padsNonNegative = check((node, ctx) => {
  const x = ctx.types.get(node.inputs[0] ?? '')?.shape;
  const w = ctx.types.get(node.inputs[1] ?? '')?.shape;
  if (!x || !w) return 'ConvTranspose: shapes are not known';
  try {
    const { pads } = convTransposeGeometry(x, w, parseAttrs(ConvTranspose.attrs, node.attrs, nodeWhere(node)));
    return pads.some((p) => p < 0) ? `ConvTranspose: output_shape beyond the full result (pads ${pads.join(',')})` : undefined;
  } catch (e) {
    return `ConvTranspose: ${(e as Error).message}`;
  }
});

export const convTransposeImporters: Record<string, OpImporter> = {
  ConvTranspose: { support: chain(floatOnly, spatial1or2('transposed convolution'), constantInput(1, 'weights'), constantInput(2, 'bias', true), padsNonNegative), translate },
};

function lower(e: Emitter, l: ConvTransposeLayer): void {
  const oneD = e.shape(l.input).length === 3;
  const [c, mg, kh, kw] = l.weightShape;
  const xs = e.shape(l.input);
  const ys = e.shape(l.output);
  // output_padding: whatever of the output size the strides, kernel and pads do not account for
  const extra = (i: 0 | 1, d: number, o: number) => o - (l.strides[i] * (d - 1) + (([kh, kw][i]! - 1) * l.dilations[i]) + 1 - l.pads[i] - l.pads[i + 2]!);
  const outPad = [extra(0, oneD ? 1 : xs[2]!, oneD ? 1 : ys[2]!), extra(1, xs.at(-1)!, ys.at(-1)!)];
  const w = e.initializer('W', new Tensor('float32', oneD ? [c, mg, kw] : [c, mg, kh, kw], l.weights));
  const inputs = [l.input, w, ...(l.bias ? [e.initializer('B', new Tensor('float32', [mg * l.group], l.bias))] : [])];
  const pick = (v: readonly number[]) => (oneD ? [v[1]!] : [...v]);
  const attrs = {
    group: int(l.group), strides: ints(pick(l.strides)), dilations: ints(pick(l.dilations)), output_padding: ints(pick(outPad)),
    pads: ints(oneD ? [l.pads[1], l.pads[3]] : [...l.pads]),
  };
  e.node('ConvTranspose', inputs, attrs, l.output);
}

export const convTransposeKind: LayerKindDef<ConvTransposeLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from], weightShape: [...l.weightShape], strides: [...l.strides], pads: [...l.pads], dilations: [...l.dilations] }),
  lower,
  compile: compileConvTranspose,
  rowMajor: true,
};
