// Concatenation along any axis; on the channel axis of a rank-4 tensor the concat pass may make
// producers write into its output directly, so the layer itself runs nothing.
import { Concat } from '../../ops/concat/concat.op.js';
import { chain, constantOf, declineIf } from '../../partition/predicate.js';
import { compileConcat } from '../kernels/concat.js';
import type { LayerBase } from '../network.js';
import { int, type Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import { floatOnly } from './rules.js';

export interface ConcatLayer extends LayerBase {
  kind: 'concat';
  inputs: string[];
  output: string;
  axis: number;
  /** Set by the concat pass: producers write into the output directly; the layer runs nothing. */
  inPlace?: boolean;
}

function translate(n: NodeView): ConcatLayer {
  for (const v of n.node.inputs) if (n.constant(v)) n.fail(`input ${v} is a constant`);
  const rank = n.shape(n.node.outputs[0]!).length;
  const axis = n.attrs(Concat).axis;
  return { kind: 'concat', ...base(n), inputs: [...n.node.inputs], output: n.node.outputs[0]!, axis: axis < 0 ? axis + rank : axis };
}

export const concatImporters: Record<string, OpImporter> = {
  Concat: {
    support: chain(floatOnly,
      declineIf((n, ctx) => n.inputs.some((i) => constantOf(i, ctx) !== undefined), 'Concat: a constant input is not supported')),
    translate,
  },
};

export const concatKind: LayerKindDef<ConcatLayer> = {
  inputs: (l) => [...l.inputs],
  renameInputs(l, swap) {
    l.inputs = l.inputs.map(swap);
  },
  clone: (l) => ({ ...l, from: [...l.from], inputs: [...l.inputs] }),
  lower: (e: Emitter, l) => void e.node('Concat', [...l.inputs], { axis: int(l.axis) }, l.output),
  compile: compileConcat,
};
