// A quantize that writes its integers space-to-depth: the float image [N, C, H, W] (C ≤ channels)
// is padded with zero channels to `channels`, each block × block cell of pixels becomes one pixel
// of block² · channels channels (ONNX SpaceToDepth order: channel (dy · block + dx) · channels + c),
// and the result is quantized. Made by passes/int8-space-to-depth.ts for a network's first
// stride-2 int8 conv, which then reads 16 bytes a tap (one 128-bit load) instead of gathering
// three-byte pixels; never imported from ONNX.
import { Tensor } from '../../tensor/tensor.js';
import { compileSpaceToDepth } from '../kernels/space-to-depth.js';
import type { LayerBase } from '../network.js';
import { int, type Emitter } from './emitter.js';
import type { LayerKindDef } from './kind.js';
import { quantizeNodes, type QuantInfo } from './quantize.js';

export interface SpaceToDepthLayer extends LayerBase {
  kind: 'spacetodepth';
  /** The float image [N, C, H, W]. */
  input: string;
  /** The quantized integers, [N, block² · channels, H / block, W / block]. */
  output: string;
  block: number;
  /** The channels of a cell after zero padding (≥ C). */
  channels: number;
  quantize: QuantInfo;
}

/** ONNX: Pad (zero channels) → SpaceToDepth → the quantize's nodes. */
function lower(e: Emitter, l: SpaceToDepthLayer): void {
  const [, c] = e.shape(l.input);
  let x = l.input;
  if (c! < l.channels) {
    const pads = e.initializer('pads', Tensor.fromNumeric('int64', [8], [0, 0, 0, 0, 0, l.channels - c!, 0, 0]));
    x = e.node('Pad', [x, pads], {}, e.value(false));
  }
  const s2d = e.node('SpaceToDepth', [x], { blocksize: int(l.block) }, e.value(false));
  quantizeNodes(e, s2d, l.quantize, 'q', true);
}

export const spaceToDepthKind: LayerKindDef<SpaceToDepthLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from], quantize: { ...l.quantize } }),
  lower,
  compile: compileSpaceToDepth,
};
