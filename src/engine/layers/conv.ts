// Convolution layers (ONNX Conv, 1-D and 2-D) with a fused epilogue: y = act(conv(x) + bias + residual).
import { Conv, convGeometry } from '../../ops/conv/conv.op.js';
import { windowPads } from '../../ops/_kernels/window.js';
import { Tensor } from '../../tensor/tensor.js';
import { chain, constantInput } from '../../partition/predicate.js';
import { compileConv } from '../kernels/conv.js';
import type { Activation, LayerBase } from '../network.js';
import { int, ints, type Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, floats, io, type NodeView } from './node-view.js';
import { floatOnly, spatial1or2 } from './rules.js';

/** Weights OIHW as in ONNX; the kernels re-lay them out for their tactic. 1-D convolutions are 2-D with H = 1. */
export interface ConvLayer extends LayerBase {
  kind: 'conv';
  input: string;
  output: string;
  weights: Float32Array;
  /** [O, I/group, KH, KW]. */
  weightShape: [number, number, number, number];
  bias?: Float32Array;
  /** A tensor of the output's shape added before the activation (ResNet's shortcut). */
  residual?: string;
  act: Activation;
  group: number;
  strides: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  dilations: [number, number];
}

function translate(n: NodeView): ConvLayer {
  const [x, w, b] = n.node.inputs;
  const xs = n.shape(x!);
  const weights = n.constant(w!) ?? n.fail('weights are not a constant');
  const bias = b ? (n.constant(b) ?? n.fail('bias is not a constant')) : undefined;
  const attrs = n.attrs(Conv);
  const { window } = convGeometry(xs, weights.shape, attrs);
  const pads = windowPads(xs.slice(2), n.shape(n.node.outputs[0]!).slice(2), window);
  const ws = weights.shape;
  const twoD = xs.length === 4;
  return {
    kind: 'conv', ...base(n), ...io(n),
    weights: floats(weights),
    weightShape: [ws[0]!, ws[1]!, twoD ? ws[2]! : 1, ws[twoD ? 3 : 2]!],
    ...(bias ? { bias: floats(bias) } : {}),
    act: { kind: 'none' },
    group: attrs.group,
    strides: twoD ? [window.strides[0]!, window.strides[1]!] : [1, window.strides[0]!],
    pads: twoD ? [pads[0]!, pads[1]!, pads[2]!, pads[3]!] : [0, pads[0]!, 0, pads[1]!],
    dilations: twoD ? [window.dilations[0]!, window.dilations[1]!] : [1, window.dilations[0]!],
  };
}

export const convImporters: Record<string, OpImporter> = {
  Conv: { support: chain(floatOnly, spatial1or2('convolution'), constantInput(1, 'weights'), constantInput(2, 'bias', true)), translate },
};

function lower(e: Emitter, l: ConvLayer): void {
  const oneD = e.shape(l.input).length === 3;
  const [o, i, kh, kw] = l.weightShape;
  const w = e.initializer('W', new Tensor('float32', oneD ? [o, i, kw] : [o, i, kh, kw], l.weights));
  const inputs = [l.input, w, ...(l.bias ? [e.initializer('B', new Tensor('float32', [o], l.bias))] : [])];
  const attrs = oneD
    ? { group: int(l.group), strides: ints([l.strides[1]]), pads: ints([l.pads[1], l.pads[3]]), dilations: ints([l.dilations[1]]) }
    : { group: int(l.group), strides: ints([...l.strides]), pads: ints([...l.pads]), dilations: ints([...l.dilations]) };
  e.epilogue(l, e.node('Conv', inputs, attrs, e.value(!l.residual && l.act.kind === 'none')));
}

export const convKind: LayerKindDef<ConvLayer> = {
  inputs: (l) => (l.residual ? [l.input, l.residual] : [l.input]),
  renameInputs(l, swap) {
    l.input = swap(l.input);
    if (l.residual) l.residual = swap(l.residual);
  },
  clone: (l) => ({ ...l, from: [...l.from], act: { ...l.act }, weightShape: [...l.weightShape], strides: [...l.strides], pads: [...l.pads], dilations: [...l.dilations] }),
  lower,
  compile: compileConv,
};
