// Softmax and LogSoftmax over any axis of a row-major tensor (opset-13 semantics: one axis), with
// an optional fused pre-scale and additive mask (x·scale + mask, folded in by fuse-softmax-mask).
import { Softmax } from '../../ops/softmax/softmax.op.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileSoftmax } from '../kernels/softmax.js';
import type { LayerBase } from '../network.js';
import { int } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, io, type NodeView } from './node-view.js';
import { floatOnly } from './rules.js';

export interface SoftmaxLayer extends LayerBase {
  kind: 'softmax';
  input: string;
  output: string;
  log: boolean;
  /** The normalized axis (non-negative); undefined: the last axis. */
  axis?: number;
  /** Logits are multiplied by this first. */
  scale?: number;
  /** A tensor broadcast (numpy rules) to the input, added to the (scaled) logits. */
  mask?: string;
}

function translate(n: NodeView): SoftmaxLayer {
  const rank = n.shape(n.node.inputs[0]!).length;
  const axis = n.attrs(Softmax).axis; // LogSoftmax has the same schema
  return { kind: 'softmax', ...base(n), ...io(n), log: n.node.opType === 'LogSoftmax', axis: axis < 0 ? axis + rank : axis };
}

export const softmaxImporters: Record<string, OpImporter> = {
  Softmax: { support: floatOnly, translate },
  LogSoftmax: { support: floatOnly, translate },
};

export const softmaxKind: LayerKindDef<SoftmaxLayer> = {
  inputs: (l) => [l.input, ...(l.mask !== undefined ? [l.mask] : [])],
  renameInputs(l, swap) {
    l.input = swap(l.input);
    if (l.mask !== undefined) l.mask = swap(l.mask);
  },
  clone: (l) => ({ ...l, from: [...l.from] }),
  lower(e, l) {
    let x = l.input;
    if (l.scale !== undefined) x = e.node('Mul', [x, e.initializer('scale', Tensor.fromArray([], [l.scale]))], {}, e.value(false));
    if (l.mask !== undefined) x = e.node('Add', [x, l.mask], {}, e.value(false));
    e.node(l.log ? 'LogSoftmax' : 'Softmax', [x], { axis: int(l.axis ?? -1) }, l.output);
  },
  compile: compileSoftmax,
  rowMajor: true,
};
