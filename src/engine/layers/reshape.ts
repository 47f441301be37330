// Same elements under another logical shape (Reshape, Flatten, Squeeze, Unsqueeze; Identity and
// inference Dropout as reshapes to the same shape): a view when the layouts allow. Any element
// type: integer and bool tensors are i32 in memory and copied as i32.
import { chain, constantInput, outputUnused, check, constantOf } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileReshape } from '../kernels/reshape.js';
import type { LayerBase } from '../network.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, io, type NodeView } from './node-view.js';
import { anyTypeData0, anyTypeOnly, floatData0 } from './rules.js';

export interface ReshapeLayer extends LayerBase {
  kind: 'reshape';
  input: string;
  output: string;
}

const translate = (n: NodeView): ReshapeLayer => ({ kind: 'reshape', ...base(n), ...io(n) });

const dropoutInference = chain(
  floatData0,
  outputUnused(1, 'mask'),
  check((node, ctx) => {
    const t = node.inputs[2] ? constantOf(node.inputs[2], ctx) : undefined;
    if (!node.inputs[2]) return undefined;
    if (!t) return 'Dropout: training_mode is not a constant';
    return Number(t.data[0]) === 0 ? undefined : 'Dropout: training_mode is on';
  }),
);

export const reshapeImporters: Record<string, OpImporter> = {
  Flatten: { support: anyTypeOnly, translate },
  Reshape: { support: chain(anyTypeData0, constantInput(1, 'shape')), translate },
  Squeeze: { support: chain(anyTypeData0, constantInput(1, 'axes', true)), translate },
  Unsqueeze: { support: chain(anyTypeData0, constantInput(1, 'axes')), translate },
  Identity: { support: anyTypeOnly, translate },
  // Cast is in typed.ts (a cast to the same engine type is a reshape layer there)
  Dropout: { support: dropoutInference, translate },
};

export const reshapeKind: LayerKindDef<ReshapeLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from] }),
  lower(e, l) {
    const shape = e.initializer('shape', Tensor.fromNumeric('int64', [e.shape(l.output).length], e.shape(l.output)));
    e.node('Reshape', [l.input, shape], {}, l.output);
  },
  compile: compileReshape,
};
