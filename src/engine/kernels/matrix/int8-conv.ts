// int8 convolution (QLinearConv, ConvInteger, and Conv between QuantizeLinear and
// DequantizeLinear) as an implicit GEMM through the int8 tile program: per group, rows are output
// pixels (batch, oh, ow), columns output channels, and K runs over (input channel, kh, kw) — the
// contiguous order of OIHW weights. Input pixels are gathered four at a time from the NCHW int8
// input; taps outside the image read the input's zero point (a real zero). The output is NCHW.
import type { Activation } from '../../network.js';
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import type { Tactic } from '../tactic.js';
import type { QuantParams } from './int8-data.js';
import type { Storage } from '../../network.js';
import { inputBytes, int8SpecUnfit, zeroPointPart, type RuntimeZeroPoint } from './int8-gemm.js';
import { int8DepthwiseTactics } from './int8-depthwise.js';
import { transpose4x4 } from './int8-stage.js';
import { int8TileTactics, type Int8Problem } from './int8-tile.js';
import type { Int8Residual } from './int8-store.js';
import { BYTES4, nhwcLoaders, nhwcRows, nhwcWeightAt, nhwcWide } from './int8-conv-nhwc.js';

export interface Int8ConvSpec {
  name: string;
  input: string;
  output: string;
  /** [N, C, H, W] and [N, O, OH, OW]. */
  inputShape: [number, number, number, number];
  outputShape: [number, number, number, number];
  x: QuantParams;
  /** int8 OIHW weights, symmetric. */
  weights: Int8Array;
  weightShape: [number, number, number, number];
  /** Per output channel (O entries) or one for all. */
  weightScales: Float32Array;
  /** int32 bias in units of x.scale · weightScale[o]. */
  bias?: Int32Array;
  relu?: boolean;
  /** An activation other than ReLU, on the dequantized float. */
  act?: Activation;
  /** A float tensor of the output's shape (row-major, same element order) added before the activation. */
  residual?: Int8Residual;
  y?: QuantParams;
  group: number;
  strides: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  dilations: [number, number];
  /** The input is an engine float tensor in this storage holding the integers (else packed bytes). */
  inputStorage?: Storage;
  /** The input is channels-last (int8-conv-nhwc.ts); else NCHW. */
  inputNhwc?: boolean;
  /** The output is channels-last: a row of the product is a pixel's channels; else NCHW. */
  outputNhwc?: boolean;
  /** With `y`: the output is an f32 engine tensor holding the requantized integers. */
  yFloat?: boolean;
  /** The input's zero point is this one-element engine tensor (read at run time), not x.zeroPoint. */
  xZeroPoint?: RuntimeZeroPoint;
  /** Without `y`: the output is an i32 tensor of the int32 sums (scales must be 1). */
  intOut?: boolean;
  /** The float output (merged parts included) is stored as native f16 (shader-f16), not f32. */
  halfOut?: boolean;
}

export function int8ConvTactics(s: Int8ConvSpec, caps: DeviceCaps): Tactic[] | string {
  const [nb, c, h, w] = s.inputShape;
  const [on, o, oh, ow] = s.outputShape;
  const [wo, cg, kh, kw] = s.weightShape;
  const unfit = int8SpecUnfit(s, o);
  if (unfit) return unfit;
  const [sh, sw] = s.strides;
  const [dh, dw] = s.dilations;
  const wantH = Math.floor((h + s.pads[0] + s.pads[2] - dh * (kh - 1) - 1) / sh) + 1;
  const wantW = Math.floor((w + s.pads[1] + s.pads[3] - dw * (kw - 1) - 1) / sw) + 1;
  if (wo !== o || cg * s.group !== c || o % s.group !== 0 || on !== nb || oh !== wantH || ow !== wantW) {
    return `int8 layer ${s.name}: shapes do not agree (input [${s.inputShape}], weights [${s.weightShape}], group ${s.group}, output [${s.outputShape}])`;
  }
  if (s.weights.length !== o * cg * kh * kw) return `int8 layer ${s.name}: ${s.weights.length} weights for [${s.weightShape}]`;
  const og = o / s.group;
  const k = cg * kh * kw;
  const ohw = oh * ow;
  // four output pixels of one row read four consecutive input bytes per tap (stride 1 across);
  // so do any four pixels of one image under a 1×1 kernel with stride 1 and no padding
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && s.pads.every((v) => v === 0);
  const quads = !s.inputNhwc && !s.inputStorage && ((sw === 1 && ow % 4 === 0) || pointwise);
  const wide = !!s.inputNhwc && nhwcWide(s);
  const rows = !!s.inputNhwc && nhwcRows(s);
  const problem: Int8Problem = {
    m: nb * ohw, n: og, k, groups: s.group, aQuads: quads, aRows: rows, x: s.x, zxRuntime: !!s.xZeroPoint, intOut: !!s.intOut && !s.y, ...(s.y ? { y: s.y, yFloat: !!s.yFloat } : {}), relu: !!s.relu, ...(s.act ? { act: s.act } : {}), ...(s.residual ? { residual: s.residual } : {}), ...(s.halfOut ? { halfOut: true } : {}),
    weightScales: s.weightScales, ...(s.bias ? { bias: s.bias } : {}),
    at: s.inputNhwc ? nhwcWeightAt(s) : (g, kk, n) => s.weights[(g * og + n) * k + kk]!,
    a: (first) => {
      const zp = zeroPointPart(first + 1, s.x, s.xZeroPoint);
      return {
        wgsl: `${inputBytes(first, s.inputStorage, wide)}${zp.wgsl}${s.inputNhwc ? nhwcLoaders(s, zp.byte) : nchwLoaders(s, zp.byte, quads)}`,
        bindings: [{ tensor: s.input }, ...zp.bindings],
      };
    },
    // rows are output pixels: channels-last, a row is a pixel's channels (four of them a word when
    // a group has a multiple of 4); NCHW, a column's four pixels are a word when the image has a multiple of 4
    outIndex: s.outputNhwc ? `m * ${o}u + grp * ${og}u + n` : `((m / ${ohw}u) * ${o}u + grp * ${og}u + n) * ${ohw}u + m % ${ohw}u`,
    store: s.outputNhwc ? (og % 4 === 0 ? 'row4' : 'scratch') : ohw % 4 === 0 ? 'col4' : 'scratch',
    output: s.output,
    outputCount: nb * o * ohw,
  };
  // depthwise: the direct kernel first (the untimed choice), the tiles after it
  // (the direct depthwise kernel takes no residual and NCHW only: else the tiles only)
  const tactics: Tactic[] = s.residual || s.inputNhwc || s.outputNhwc ? [] : int8DepthwiseTactics(s, caps);
  const why: string[] = [];
  tactics.push(...int8TileTactics('int8-conv', problem, caps, why));
  return tactics.length ? tactics : `int8 layer ${s.name}: no tactic fits (${why.join('; ')})`;
}

/** WGSL of the NCHW input's loaders: `loadA4` (bytes gathered one by one), and `loadA16` where four pixels share a row. */
function nchwLoaders(s: Int8ConvSpec, zpByte: string, quads: boolean): string {
  const [, c, h, w] = s.inputShape;
  const [, , oh, ow] = s.outputShape;
  const [, cg, kh, kw] = s.weightShape;
  const [sh, sw] = s.strides;
  const [pt, pl] = s.pads;
  const [dh, dw] = s.dilations;
  const k = cg * kh * kw;
  const ohw = oh * ow;
  return `fn loadA4(m: u32, kq: u32) -> u32 {
  let b = m / ${ohw}u;
  let p = m % ${ohw}u;
  let y0 = i32(p / ${ow}u) * ${sh} - ${pt};
  let x0 = i32(p % ${ow}u) * ${sw} - ${pl};
  let plane = (b * ${c}u + grp * ${cg}u) * ${h * w}u;
  var word = 0u;
  for (var j = 0u; j < 4u; j = j + 1u) {
    let k = kq * 4u + j;
    var v = ${zpByte};
    if (k < ${k}u) {
      let ci = k / ${kh * kw}u;
      let r = k % ${kh * kw}u;
      let iy = y0 + i32(r / ${kw}u) * ${dh};
      let ix = x0 + i32(r % ${kw}u) * ${dw};
      if (iy >= 0 && iy < ${h} && ix >= 0 && ix < ${w}) { v = byteAt(plane + ci * ${h * w}u + u32(iy) * ${w}u + u32(ix)); }
    }
    word = word | (v << (8u * j));
  }
  return word;
}
${!quads ? '' : ow % 4 === 0 ? quadLoader(s, zpByte) : pointwiseQuadLoader(s, zpByte)}`;
}


/**
 * `loadA16(m, kq)` for a stride-1 convolution whose rows hold whole groups of four output pixels
 * (OW % 4 = 0): pixels m..m+3 share an output row, so each tap of the word's four K values reads
 * four consecutive input bytes (one or two word loads), and a 4×4 byte transpose turns the four
 * K values × four pixels into the pixels' words. Taps past the image's edges read the zero point.
 */
function quadLoader(s: Int8ConvSpec, zpByte: string): string {
  const [, c, h, w] = s.inputShape;
  const [, , oh, ow] = s.outputShape;
  const [, cg, kh, kw] = s.weightShape;
  const k = cg * kh * kw;
  const taps = [0, 1, 2, 3].map((j) => `  var c${j} = zp4;
  {
    let k = kq * 4u + ${j}u;
    if (k < ${k}u) {
      let ci = k / ${kh * kw}u;
      let r = k % ${kh * kw}u;
      let iy = y0 + i32(r / ${kw}u) * ${s.dilations[0]};
      if (iy >= 0 && iy < ${h}) { c${j} = row4(plane + ci * ${h * w}u + u32(iy) * ${w}u, x0 + i32(r % ${kw}u) * ${s.dilations[1]}, zp4); }
    }
  }`).join('\n');
  return `${BYTES4}fn row4(rowStart: u32, ix: i32, zp4: u32) -> u32 {
  if (ix >= 0 && ix + 3 < ${w}) { return bytes4(rowStart + u32(ix)); }
  var v = 0u;
  for (var i = 0; i < 4; i = i + 1) {
    let x = ix + i;
    var b = zp4 & 0xffu;
    if (x >= 0 && x < ${w}) { b = byteAt(rowStart + u32(x)); }
    v = v | (b << (8u * u32(i)));
  }
  return v;
}
fn loadA16(m: u32, kq: u32) -> vec4<u32> {
  let zp4 = ${zpByte} * 0x01010101u;
  let b = m / ${oh * ow}u;
  let p = m % ${oh * ow}u;
  let y0 = i32(p / ${ow}u) * ${s.strides[0]} - ${s.pads[0]};
  let x0 = i32(p % ${ow}u) - ${s.pads[1]};
  let plane = (b * ${c}u + grp * ${cg}u) * ${h * w}u;
${taps}
  return ${transpose4x4(['c0', 'c1', 'c2', 'c3'])};
}
`;
}

/**
 * `loadA16(m, kq)` for a 1×1 convolution with stride 1 and no padding whose rows do not hold whole
 * groups of four pixels: pixels m..m+3 of one image are four consecutive bytes of each channel's
 * plane (two word loads and a funnel shift); four that cross into the next image, byte by byte.
 */
function pointwiseQuadLoader(s: Int8ConvSpec, zpByte: string): string {
  const [, c, h, w] = s.inputShape;
  const cg = s.weightShape[1];
  const hw = h * w;
  const taps = [0, 1, 2, 3].map((j) => `  var c${j} = zp4;
  if (kq * 4u + ${j}u < ${cg}u) {
    let ci = kq * 4u + ${j}u;
    if (p + 3u < ${hw}u) {
      c${j} = bytes4(plane + ci * ${hw}u + p);
    } else {
      c${j} = 0u;
      for (var i = 0u; i < 4u; i = i + 1u) {
        let q = m + i;
        c${j} = c${j} | (byteAt(((q / ${hw}u) * ${c}u + grp * ${cg}u + ci) * ${hw}u + q % ${hw}u) << (8u * i));
      }
    }
  }`).join('\n');
  return `${BYTES4}fn loadA16(m: u32, kq: u32) -> vec4<u32> {
  let zp4 = ${zpByte} * 0x01010101u;
  let p = m % ${hw}u;
  let plane = ((m / ${hw}u) * ${c}u + grp * ${cg}u) * ${hw}u;
${taps}
  return ${transpose4x4(['c0', 'c1', 'c2', 'c3'])};
}
`;
}
