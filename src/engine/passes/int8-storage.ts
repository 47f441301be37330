// Quantized tensors as bytes: a tensor holding quantized integers is stored four to a word (i8x4 /
// u8x4 storage) instead of one f32 (or half) each when its writer can write whole words and
// everything reading it can read bytes.
// Writers: an int8 layer that requantizes its output, when it stores whole words directly (a gemm
// whose N is a multiple of 4: four columns of a row; a channels-last conv whose groups have a
// multiple of 4 output channels: four channels of a pixel; an NCHW conv whose output image has a
// multiple of 4 pixels: four pixels of a channel; elsewhere bytes would go through an i32 scratch and a packing
// pass, which moves more than the f32 it saves; a depthwise conv at any size, whose direct kernel
// writes any four consecutive elements); a norm with a folded quantize whose rows are whole words;
// a max pool on integers (int8-max-pool) with a channels-last output of a multiple of 4 channels;
// and a pointwise layer whose expression ends in a
// quantize (a QuantizeLinear, often fused after a residual Add and ReLU), which then writes four
// elements a word in the tensor's own order.
// Readers: int8 layers taking the tensor as their quantized input with the same quantization, max
// pools on integers of the same quantization, and pointwise layers (the DequantizeLinear after
// it), which load the integer as f32.
// Runs after the precision pass, whose f32 / f16 choice it overrides for these tensors only.
import { outerQuantize, type QuantInfo } from '../layers/quantize.js';
import { isDepthwise } from '../layers/qlinear.js';
import type { Layer, Network } from '../network.js';
import type { EnginePass } from './pass.js';
import { elementCount } from '../../tensor/shape.js';
import { consumers, isBoundary } from './net-utils.js';

/** The quantization of the integers `l` writes as whole words, or undefined. */
function wordWriter(net: Network, l: Layer): QuantInfo | undefined {
  if (l.kind === 'pointwise') return outerQuantize(l.expr)?.q;
  // a max pool on integers writes four channels of a pixel a word (kernels/pool-bytes.ts)
  if (l.kind === 'pool') {
    const out = net.tensors.get(l.output)!;
    return l.quantized && out.format.layout === 'nhwc' && out.shape[1]! % 4 === 0 ? l.quantized : undefined;
  }
  // a norm with a folded quantize writes four elements of a row a word when its rows are whole words
  if (l.kind === 'norm') return l.quantize && elementCount(net.tensors.get(l.output)!.shape.slice(l.axis)) % 4 === 0 ? l.quantize : undefined;
  if (l.kind !== 'qlinear' || !l.y) return undefined;
  if (l.op === 'gemm') return l.weightShape[1]! % 4 === 0 ? l.y : undefined;
  // a depthwise conv's direct kernel writes four consecutive elements a word at any image size
  if (isDepthwise(l)) return l.y;
  const out = net.tensors.get(l.output)!;
  // channels-last: four channels of a pixel a word; NCHW: four pixels of a channel
  if (out.format.layout === 'nhwc') return (l.weightShape[0]! / l.conv!.group) % 4 === 0 ? l.y : undefined;
  const pixels = out.shape.slice(2).reduce((a, d) => a * d, 1);
  return pixels % 4 === 0 ? l.y : undefined;
}

export const int8StoragePass: EnginePass = {
  name: 'int8-storage',
  description: 'quantized tensors written whole words at a time (requantizing int8 layers, quantizing pointwise layers) and read only by int8 and pointwise layers are stored as bytes (i8x4/u8x4)',
  run(net, ctx) {
    const readers = consumers(net);
    const by = { qlinear: 0, pointwise: 0, norm: 0, pool: 0 };
    for (const l of net.layers) {
      if (l.kind !== 'qlinear' && l.kind !== 'pointwise' && l.kind !== 'norm' && l.kind !== 'pool') continue;
      const t = net.tensors.get(l.output)!;
      if (isBoundary(net, l.output)) continue;
      const y = wordWriter(net, l);
      if (!y) continue;
      const same = (q: { scale: number; zeroPoint: number }) => q.zeroPoint === y.zeroPoint && q.scale === y.scale;
      // an int8 layer reads it as its quantized input, or as a quantized residual (int8-residual), or both
      const fits = (readers.get(l.output) ?? []).every((r) =>
        r.kind === 'pointwise'
        || (r.kind === 'pool' && !!r.quantized && r.quantized.signed === y.signed && same(r.quantized))
        || (r.kind === 'qlinear' && r.xZeroPoint !== l.output && (r.input === l.output || r.residual === l.output)
          && (r.input !== l.output || (r.x.signed === y.signed && same(r.x)))
          && (r.residual !== l.output || (!!r.residualQuant && same(r.residualQuant)))));
      if (!fits) continue;
      t.format = { ...t.format, storage: y.signed ? 'i8x4' : 'u8x4' };
      by[l.kind]++;
    }
    const n = by.qlinear + by.pointwise + by.norm + by.pool;
    const others = ([['pointwise', by.pointwise], ['norm', by.norm], ['pool', by.pool]] as const).filter(([k, c]) => c > 0 || k === 'pointwise').map(([k, c]) => `${c} ${k}`);
    if (n) ctx.change(`${n} quantized tensor${n === 1 ? '' : 's'} stored as bytes (written by ${[`${by.qlinear} int8`, ...others].join(', ').replace(/, ([^,]*)$/, ' and $1')} layers)`);
  },
};
