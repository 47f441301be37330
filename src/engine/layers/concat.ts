// Concatenation along any axis; on the channel axis of a rank-4 tensor the concat pass may make
// producers write into its output directly, so the layer itself runs nothing. A constant input
// (ViT's class token, expanded to the batch) is an operand `const:i` held by the layer.
import { Concat } from '../../ops/concat/concat.op.js';
import { chain, check, constantOf } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileConcat } from '../kernels/concat.js';
import type { LayerBase } from '../network.js';
import { constOperand, constOperandIndex, isConstOperand } from '../passes/pw-expr.js';
import { int, type Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, floats, type NodeView } from './node-view.js';
import { floatOnly } from './rules.js';

export interface ConcatLayer extends LayerBase {
  kind: 'concat';
  inputs: string[];
  output: string;
  axis: number;
  /** Values of the constant operands `const:i` in `inputs`, row-major in their shapes. */
  constants?: { values: Float32Array; shape: number[] }[];
  /** Set by the concat pass: producers write into the output directly; the layer runs nothing. */
  inPlace?: boolean;
}

function translate(n: NodeView): ConcatLayer {
  const constants: NonNullable<ConcatLayer['constants']> = [];
  const inputs = n.node.inputs.map((v) => {
    const c = n.constant(v);
    if (!c) return v;
    constants.push({ values: floats(c), shape: [...c.shape] });
    return constOperand(constants.length - 1);
  });
  if (inputs.every(isConstOperand)) n.fail('every input is a constant');
  const rank = n.shape(n.node.outputs[0]!).length;
  const axis = n.attrs(Concat).axis;
  return { kind: 'concat', ...base(n), inputs, output: n.node.outputs[0]!, axis: axis < 0 ? axis + rank : axis, ...(constants.length ? { constants } : {}) };
}

export const concatImporters: Record<string, OpImporter> = {
  Concat: {
    support: chain(floatOnly,
      check((n, ctx) => (n.inputs.every((i) => constantOf(i, ctx) !== undefined) ? 'Concat: every input is a constant' : undefined))),
    translate,
  },
};

export const concatKind: LayerKindDef<ConcatLayer> = {
  inputs: (l) => [...l.inputs],
  renameInputs(l, swap) {
    l.inputs = l.inputs.map(swap);
  },
  clone: (l) => ({ ...l, from: [...l.from], inputs: [...l.inputs], ...(l.constants ? { constants: [...l.constants] } : {}) }),
  lower(e: Emitter, l) {
    const operand = (v: string) => {
      if (!isConstOperand(v)) return v;
      const c = l.constants![constOperandIndex(v)]!;
      return e.initializer(`c${constOperandIndex(v)}`, new Tensor('float32', [...c.shape], c.values));
    };
    e.node('Concat', l.inputs.map(operand), { axis: int(l.axis) }, l.output);
  },
  compile: compileConcat,
};
