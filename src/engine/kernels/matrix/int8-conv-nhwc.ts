// The int8 convolution's input side for a channels-last (NHWC) input: K then runs over
// (kh, kw, input channel), so the K values of one tap are the consecutive channel bytes of one
// input pixel. With a group's channels and the image's channels both multiples of 16, every four
// words of K lie inside one tap and start on a 16-byte boundary: A is fetched 16 bytes (one
// 128-bit load) at a time, one pixel-and-tap lookup per load, with no byte gathering or
// transposing. Smaller channel counts (a network's first convolution) read a word at a time when
// the channels are a multiple of 4. Otherwise, with one group and taps one pixel apart, the K values
// of one kernel row are the consecutive bytes of KW neighbouring pixels: four of them inside the
// image are one unaligned word (bytes4); the rest, at the image's edges or across kernel rows, are
// gathered byte by byte.
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

/** WGSL: the four input bytes from byte a on, as one word (one load, or two and a funnel shift off a word boundary). */
export const BYTES4 = `fn bytes4(a: u32) -> u32 {
  let sh = (a & 3u) * 8u;
  let lo = xw(a >> 2u);
  if (sh == 0u) { return lo; }
  return (lo >> sh) | (xw((a >> 2u) + 1u) << (32u - sh));
}
`;

/** The input's layout allows 16-byte loads of A (packed bytes, channels multiples of 16). */
export const nhwcWide = (s: Pick<Int8ConvSpec, 'inputShape' | 'weightShape' | 'inputStorage'>): boolean =>
  !s.inputStorage && s.inputShape[1] % 16 === 0 && s.weightShape[1] % 16 === 0;

/** The loaders give four words of a row at a time (`loadA16r`): every channels-last byte input. */
export const nhwcRows = (s: Pick<Int8ConvSpec, 'inputStorage'>): boolean => !s.inputStorage;

/**
 * WGSL of `loadA4(m, kq)` for an NHWC input (and `loadA16r(m, kq)` for bytes: one 16-byte load when
 * nhwcWide, else four words with the output pixel's position found once), given
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
  const rowSpans = !words && !s.inputStorage && s.group === 1 && dw === 1;
  // word kq of the K row of the output pixel at (b, y0, x0): the loaders below share it
  const wordAt = words
    ? `fn wordAt(b: u32, y0: i32, x0: i32, kq: u32) -> u32 {
  if (kq >= ${k / 4}u) { return 0u; }
  let tap = kq / ${cg / 4}u;
  ${at('tap')}
  if (px < 0) { return ${zpByte} * 0x01010101u; }
  return xw((u32(px) * ${c}u + grp * ${cg}u) / 4u + kq % ${cg / 4}u);
}`
    : `${rowSpans ? BYTES4 : ''}fn wordAt(b: u32, y0: i32, x0: i32, kq: u32) -> u32 {${rowSpans ? `
  // four K values of one kernel row, all four taps inside the image: four consecutive bytes
  let k0 = kq * 4u;
  let r0 = k0 % ${kw * c}u;
  let ry = y0 + i32(k0 / ${kw * c}u) * ${dh};
  if (k0 + 3u < ${k}u && r0 + 3u < ${kw * c}u && ry >= 0 && ry < ${h} && x0 + i32(r0 / ${c}u) >= 0 && x0 + i32((r0 + 3u) / ${c}u) < ${w}) {
    return bytes4(u32((i32(b) * ${h} + ry) * ${w * c} + x0 * ${c} + i32(r0)));
  }${kh > 1 && kw * c >= 3 ? `
  // across two kernel rows (rows of 3 bytes or more): the first row's last bytes, then the next
  // row's first, all inside the image
  let ry1 = ry + ${dh};
  if (k0 + 3u < ${k}u && r0 + 3u >= ${kw * c}u && ry >= 0 && ry1 < ${h} && x0 >= 0 && x0 + ${kw - 1} < ${w}) {
    let n1 = ${kw * c}u - r0;
    let lo = bytes4(u32((i32(b) * ${h} + ry) * ${w * c} + x0 * ${c} + i32(r0)));
    let hi = bytes4(u32((i32(b) * ${h} + ry1) * ${w * c} + x0 * ${c}));
    return (lo & ((1u << (8u * n1)) - 1u)) | (hi << (8u * n1));
  }` : ''}` : ''}
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
  const loadA4 = `${wordAt}
fn loadA4(m: u32, kq: u32) -> u32 {
${pixel}
  return wordAt(b, y0, x0, kq);
}`;
  // bytes without 16-byte rows: four words of a row with the pixel found once (words past K are zero or the zero point)
  if (!nhwcWide(s)) {
    return s.inputStorage ? `${loadA4}\n` : `${loadA4}
fn loadA16r(m: u32, kq: u32) -> vec4<u32> {
${pixel}
  return vec4<u32>(wordAt(b, y0, x0, kq), wordAt(b, y0, x0, kq + 1u), wordAt(b, y0, x0, kq + 2u), wordAt(b, y0, x0, kq + 3u));
}
`;
  }
  // a 1×1 kernel without padding: every tap is inside the image, and with stride 1 the input pixel is the output's
  const pointwise = kh === 1 && kw === 1 && s.pads.every((v) => v === 0);
  const pixelOf = sh === 1 && sw === 1 ? 'm' : `(m / ${oh * ow}u * ${h}u + (m % ${oh * ow}u) / ${ow}u * ${sh}u) * ${w}u + (m % ${ow}u) * ${sw}u`;
  return `${loadA4}
fn loadA16r(m: u32, kq: u32) -> vec4<u32> {
${pointwise ? `  return xq[(${pixelOf}) * ${c / 16}u + grp * ${cg / 16}u + kq / 4u];` : `${pixel}
  let tap = kq / ${cg / 4}u;
  ${at('tap')}
  if (px < 0) { return vec4<u32>(${zpByte} * 0x01010101u); }
  return xq[(u32(px) * ${c / 16}u + grp * ${cg / 16}u) + (kq % ${cg / 4}u) / 4u];`}
}
`;
}
