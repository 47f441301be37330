// Quantized tensors as bytes: an int8 layer that requantizes its output writes the integers four
// to a word (i8x4 / u8x4 storage) instead of one f32 (or half) each, when everything reading the
// tensor can read bytes: int8 layers taking it as their quantized input (with the same
// quantization), and pointwise layers (a DequantizeLinear, often fused with the residual Add after
// it), which load the integer as f32 through the storage's loaders. The layer must store whole
// words directly: a gemm whose N is a multiple of 4 (four columns of a row), a conv whose output
// image has a multiple of 4 pixels (four pixels of a channel); elsewhere a byte output would go
// through an i32 scratch and a packing pass, which moves more than the f32 it saves. Runs after the
// precision pass, whose f32 / f16 choice it overrides for these tensors only.
import type { Network, QLinearLayer } from '../network.js';
import type { EnginePass } from './pass.js';
import { consumers, isBoundary } from './net-utils.js';

/** Whether `l` can write its requantized output as whole words (see the file comment). */
function storesWords(net: Network, l: QLinearLayer): boolean {
  const y = net.tensors.get(l.output)!;
  if (y.format.layout === 'nhwc') return false;
  if (l.op === 'gemm') return l.weightShape[1]! % 4 === 0;
  const pixels = y.shape.slice(2).reduce((a, d) => a * d, 1);
  return pixels % 4 === 0;
}

export const int8StoragePass: EnginePass = {
  name: 'int8-storage',
  description: 'requantized int8 layer outputs read only by int8 and pointwise layers are stored as bytes (i8x4/u8x4)',
  run(net, ctx) {
    const readers = consumers(net);
    let count = 0;
    for (const l of net.layers) {
      if (l.kind !== 'qlinear' || !l.y || isBoundary(net, l.output) || !storesWords(net, l)) continue;
      const y = l.y;
      const fits = (readers.get(l.output) ?? []).every((r) =>
        (r.kind === 'pointwise')
        || (r.kind === 'qlinear' && r.input === l.output && r.xZeroPoint !== l.output
          && r.x.signed === y.signed && r.x.zeroPoint === y.zeroPoint && r.x.scale === y.scale));
      if (!fits) continue;
      const t = net.tensors.get(l.output)!;
      t.format = { ...t.format, storage: y.signed ? 'i8x4' : 'u8x4' };
      count++;
    }
    if (count) ctx.change(`${count} requantized int8 layer output${count === 1 ? '' : 's'} stored as bytes`);
  },
};
