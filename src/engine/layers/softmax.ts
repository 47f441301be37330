// Softmax and LogSoftmax over the last axis of a row-major tensor.
import { Softmax } from '../../ops/softmax/softmax.op.js';
import { attrNumber, chain, check } from '../../partition/predicate.js';
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
}

function translate(n: NodeView): SoftmaxLayer {
  const rank = n.shape(n.node.inputs[0]!).length;
  const axis = n.attrs(Softmax).axis; // LogSoftmax has the same schema
  if ((axis < 0 ? axis + rank : axis) !== rank - 1) n.fail(`axis ${axis} is not the last axis`);
  return { kind: 'softmax', ...base(n), ...io(n), log: n.node.opType === 'LogSoftmax' };
}

const lastAxis = check((node, ctx) => {
  const rank = ctx.types.get(node.inputs[0]!)!.shape.length;
  const axis = attrNumber(node, 'axis', -1);
  return (axis < 0 ? axis + rank : axis) === rank - 1 ? undefined : `${node.opType}: axis ${axis} is not the last axis`;
});

export const softmaxImporters: Record<string, OpImporter> = {
  Softmax: { support: chain(floatOnly, lastAxis), translate },
  LogSoftmax: { support: chain(floatOnly, lastAxis), translate },
};

export const softmaxKind: LayerKindDef<SoftmaxLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from] }),
  lower: (e, l) => void e.node(l.log ? 'LogSoftmax' : 'Softmax', [l.input], { axis: int(-1) }, l.output),
  compile: compileSoftmax,
  rowMajor: true,
};
