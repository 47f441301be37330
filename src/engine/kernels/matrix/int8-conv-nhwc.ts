// The int8 convolution's input side for a channels-last (NHWC) input: K then runs over
// (kh, kw, input channel), so the K values of one tap are the consecutive channel bytes of one
// input pixel. With a group's channels and the image's channels both multiples of 16, every four
// words of K lie inside one tap and start on a 16-byte boundary: A is fetched 16 bytes (one
// 128-bit load) at a time, one pixel-and-tap lookup per load, with no byte gathering or
// transposing. Smaller channel counts (a network's first convolution) gather byte by byte, or a
// word at a time when the channels are a multiple of 4.
import type { Int8ConvSpec } from './int8-conv.js';

/** Weight (group g, K index kk in (kh, kw, channel) order, output channel n of the group) of OIHW weights. */
export function nhwcWeightAt(s: Pick<Int8ConvSpec, 'weights' | 'weightShape' | 'group'>): (g: number, kk: number, n: number) => number {
  const [o, cg, kh, kw] = s.weightShape;
  const og = o / s.group;
  return (g, kk, n) => {
    const ci = kk % cg;
    const tap = Math.floor(kk / cg);
    return s.weights[(((g * og + n) * cg + ci) * kh + Math.floor(tap / kw)) * kw + (tap % kw)]!;
  };
}

/** The input's layout allows 16-byte loads of A (packed bytes, channels multiples of 16). */
export const nhwcWide = (s: Pick<Int8ConvSpec, 'inputShape' | 'weightShape' | 'inputStorage'>): boolean =>
  !s.inputStorage && s.inputShape[1] % 16 === 0 && s.weightShape[1] % 16 === 0;

/**
 * WGSL of `loadA4(m, kq)` for an NHWC input (and `loadA16r(m, kq)` when nhwcWide), given
 * `byteAt`/`xw`/`xq` (inputBytes) and the zero point's byte expression. Rows m are output pixels
 * (batch, oh, ow); taps outside the image read the zero point.
 */
export function nhwcLoaders(s: Int8ConvSpec, zpByte: string): string {
  const [, c, h, w] = s.inputShape;
  const [, , oh, ow] = s.outputShape;
  const [, cg, kh, kw] = s.weightShape;
  const [sh, sw] = s.strides;
  const [dh, dw] = s.dilations;
  const k = cg * kh * kw;
  const pixel = `  let b = m / ${oh * ow}u;
  let p = m % ${oh * ow}u;
  let y0 = i32(p / ${ow}u) * ${sh} - ${s.pads[0]};
  let x0 = i32(p % ${ow}u) * ${sw} - ${s.pads[1]};`;
  // the input pixel under tap `tap` of output pixel m, or -1 outside the image
  const at = (tap: string) => `let iy = y0 + i32(${tap} / ${kw}u) * ${dh};
    let ix = x0 + i32(${tap} % ${kw}u) * ${dw};
    var px = -1;
    if (iy >= 0 && iy < ${h} && ix >= 0 && ix < ${w}) { px = (i32(b) * ${h} + iy) * ${w} + ix; }`;
  const words = !s.inputStorage && c % 4 === 0 && cg % 4 === 0;
  const loadA4 = words
    ? `fn loadA4(m: u32, kq: u32) -> u32 {
${pixel}
  if (kq >= ${k / 4}u) { return 0u; }
  let tap = kq / ${cg / 4}u;
  ${at('tap')}
  if (px < 0) { return ${zpByte} * 0x01010101u; }
  return xw((u32(px) * ${c}u + grp * ${cg}u) / 4u + kq % ${cg / 4}u);
}`
    : `fn loadA4(m: u32, kq: u32) -> u32 {
${pixel}
  var word = 0u;
  for (var j = 0u; j < 4u; j = j + 1u) {
    let k = kq * 4u + j;
    var v = ${zpByte};
    if (k < ${k}u) {
      let tap = k / ${cg}u;
      ${at('tap')}
      if (px >= 0) { v = byteAt(u32(px) * ${c}u + grp * ${cg}u + k % ${cg}u); }
    }
    word = word | (v << (8u * j));
  }
  return word;
}`;
  if (!nhwcWide(s)) return `${loadA4}\n`;
  return `${loadA4}
fn loadA16r(m: u32, kq: u32) -> vec4<u32> {
${pixel}
  let tap = kq / ${cg / 4}u;
  ${at('tap')}
  if (px < 0) { return vec4<u32>(${zpByte} * 0x01010101u); }
  return xq[(u32(px) * ${c / 16}u + grp * ${cg / 16}u) + (kq % ${cg / 4}u) / 4u];
}
`;
}
