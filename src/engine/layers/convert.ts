// Format conversions (layout and storage) the layout and precision passes insert at the edges of
// a region; never imported from ONNX.
import { compileConvert } from '../kernels/convert.js';
import type { LayerBase } from '../network.js';
import type { LayerKindDef } from './kind.js';

export interface ConvertLayer extends LayerBase {
  kind: 'convert';
  input: string;
  output: string;
}

export const convertKind: LayerKindDef<ConvertLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from] }),
  lower: (e, l) => void e.node('Identity', [l.input], {}, l.output),
  compile: compileConvert,
};
