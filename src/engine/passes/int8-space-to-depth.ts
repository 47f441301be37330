// A network's first int8 conv usually reads an image of three channels at stride 2 (ResNet's 7×7,
// MobileNet's and EfficientNet's 3×3): its K row is 3-byte pixels, gathered a few bytes at a time.
// Here the image's quantize writes it space-to-depth instead (layers/space-to-depth.ts: channels
// padded to 4, each 2×2 cell one pixel of 16 channels) and the conv becomes the same product over
// that image: stride 1, a ⌈(k + odd pad) / 2⌉ kernel, weights rearranged with zeros where a tap
// falls outside the original kernel or on a padding channel. Its taps are then 16 bytes, one
// 128-bit load each, as in every later conv. The integer sums are the same ones: a zero weight
// adds nothing, and a cell outside the image reads the zero point as before. Runs last (the
// formats are chosen: the quantized image must be channels-last bytes); the CPU engine leaves it out.
import { isByteStorage } from '../../devices/webgpu/storage.js';
import { matchQuantize } from '../layers/quantize.js';
import type { QLinearLayer } from '../layers/qlinear.js';
import type { SpaceToDepthLayer } from '../layers/space-to-depth.js';
import type { EnginePass } from './pass.js';
import { consumers, isBoundary, producers } from './net-utils.js';

const BLOCK = 2;
const CELL_CHANNELS = 4;

/** The stride-1 conv over the space-to-depth image equal to stride-2 conv `l` over [C, H, W], or why not. */
export function spaceToDepthConv(l: QLinearLayer, c: number, h: number, w: number, oh: number, ow: number):
  { weights: Int8Array; weightShape: [number, number, number, number]; pads: [number, number, number, number] } | string {
  const g = l.conv!;
  const [o, cg, kh, kw] = l.weightShape as [number, number, number, number];
  if (g.group !== 1 || g.dilations.some((d) => d !== 1) || g.strides.some((s) => s !== BLOCK)) return 'not a stride-2 conv of one group without dilation';
  if (c > CELL_CHANNELS || cg !== c || h % BLOCK !== 0 || w % BLOCK !== 0) return `input [${c}, ${h}, ${w}] (at most ${CELL_CHANNELS} channels, even height and width)`;
  // an odd leading pad shifts the kernel by one zero tap, so that taps pair up into cells
  const [et, el] = [g.pads[0] % BLOCK, g.pads[1] % BLOCK];
  const [kh2, kw2] = [Math.ceil((kh + et) / BLOCK), Math.ceil((kw + el) / BLOCK)];
  const [pt, pl] = [(g.pads[0] + et) / BLOCK, (g.pads[1] + el) / BLOCK];
  const [pb, pr] = [oh - 1 + kh2 - h / BLOCK - pt, ow - 1 + kw2 - w / BLOCK - pl];
  if (pb < 0 || pr < 0) return `the output [${oh}, ${ow}] ends before the image does`;
  const c2 = BLOCK * BLOCK * CELL_CHANNELS;
  const weights = new Int8Array(o * c2 * kh2 * kw2);
  for (let n = 0; n < o; n++) {
    for (let ch = 0; ch < c; ch++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const [y, x] = [ky + et, kx + el];
          const ci = ((y % BLOCK) * BLOCK + (x % BLOCK)) * CELL_CHANNELS + ch;
          weights[((n * c2 + ci) * kh2 + Math.floor(y / BLOCK)) * kw2 + Math.floor(x / BLOCK)] = l.weights[((n * cg + ch) * kh + ky) * kw + kx]!;
        }
      }
    }
  }
  return { weights, weightShape: [o, c2, kh2, kw2], pads: [pt, pl, pb, pr] };
}

export const int8SpaceToDepthPass: EnginePass = {
  name: 'int8-space-to-depth',
  description: 'a stride-2 int8 conv over an image of up to 4 channels reads it space-to-depth (16-byte taps), written so by the image\'s quantize',
  run(net, ctx) {
    for (const conv of [...net.layers]) {
      if (conv.kind !== 'qlinear' || conv.op !== 'conv' || conv.xZeroPoint || conv.quantizesInput) continue;
      const writer = producers(net).get(conv.input);
      const q = writer?.kind === 'pointwise' ? matchQuantize(writer) : undefined;
      if (!writer || writer.kind !== 'pointwise' || !q || q.signed !== conv.x.signed || q.scale !== conv.x.scale || q.zeroPoint !== conv.x.zeroPoint) continue;
      const qt = net.tensors.get(conv.input)!;
      const xt = net.tensors.get(writer.inputs[0]!)!;
      const yt = net.tensors.get(conv.output)!;
      if (isBoundary(net, conv.input) || (consumers(net).get(conv.input) ?? []).length !== 1 || conv.residual === conv.input) continue;
      if (!isByteStorage(qt.format.storage) || qt.format.layout !== 'nhwc' || qt.shape.length !== 4 || yt.shape.length !== 4) continue;
      const [n, c, h, w] = qt.shape as [number, number, number, number];
      const s2d = spaceToDepthConv(conv, c, h, w, yt.shape[2]!, yt.shape[3]!);
      if (typeof s2d === 'string') continue;
      const name = `${conv.input}:space-to-depth`;
      net.tensors.set(name, { name, shape: [n, s2d.weightShape[1], h / BLOCK, w / BLOCK], format: { ...qt.format } });
      const layer: SpaceToDepthLayer = { kind: 'spacetodepth', name: writer.name, from: [...writer.from], input: xt.name, output: name, block: BLOCK, channels: CELL_CHANNELS, quantize: q };
      net.layers.splice(net.layers.indexOf(writer), 1, layer);
      const [kh, kw] = conv.weightShape.slice(2);
      Object.assign(conv, { input: name, weights: s2d.weights, weightShape: s2d.weightShape, conv: { ...conv.conv!, strides: [1, 1], pads: s2d.pads } });
      ctx.change(`${conv.name} (${kh}×${kw} stride 2 over ${c} channels) reads ${writer.name}'s integers space-to-depth: ${s2d.weightShape[2]}×${s2d.weightShape[3]} stride 1 over ${s2d.weightShape[1]} channels`);
    }
  },
};
