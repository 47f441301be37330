// Transpose (any permutation). Passes/absorb-transpose.ts folds it into a following matmul's
// operand strides and cancels inverse pairs; the kernel is a view when the layouts already agree.
import { Transpose, permutation } from '../../ops/transpose/transpose.op.js';
import { compileTranspose } from '../kernels/transpose.js';
import type { LayerBase } from '../network.js';
import { ints } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, io, type NodeView } from './node-view.js';
import { floatOnly } from './rules.js';

export interface TransposeLayer extends LayerBase {
  kind: 'transpose';
  input: string;
  output: string;
  /** Output axis i is input axis perm[i]. */
  perm: number[];
}

function translate(n: NodeView): TransposeLayer {
  const perm = permutation(n.attrs(Transpose).perm, n.shape(n.node.inputs[0]!).length);
  return { kind: 'transpose', ...base(n), ...io(n), perm: [...perm] };
}

export const transposeImporters: Record<string, OpImporter> = {
  Transpose: { support: floatOnly, translate },
};

export const transposeKind: LayerKindDef<TransposeLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from], perm: [...l.perm] }),
  lower: (e, l) => void e.node('Transpose', [l.input], { perm: ints(l.perm) }, l.output),
  compile: compileTranspose,
};
