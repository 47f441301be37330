// int8 depthwise convolution (one input channel per output channel: MobileNet's and ShuffleNet's
// 3×3 layers) as a direct kernel. Through the int8 tile a depthwise conv is C groups of a GEMM
// with one output column, which leaves all but one column of every tile idle; here each
// invocation computes four consecutive output elements (NCHW order), each Σ over its KH×KW taps
// of the input byte (in the signed domain, as the tile's sums) times the int8 weight, with taps
// outside the image reading the zero point, and hands the sums to the same epilogue
// (int8-epilogue.ts). Four consecutive elements make one word of a byte output whatever the
// image size (an element's channel is found from its own index), so no scratch is needed.
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import { grid } from '../matmul-tile.js';
import type { Tactic } from '../tactic.js';
import { channelParams } from './int8-data.js';
import { int8Finish } from './int8-epilogue.js';
import type { Int8ConvSpec } from './int8-conv.js';
import { inputBytes, zeroPointPart } from './int8-gemm.js';

const WORKGROUPS = [64, 256] as const;

/** The depthwise tactics of `s`, or none where it is not a depthwise conv with a float or requantized output. */
export function int8DepthwiseTactics(s: Int8ConvSpec, caps: DeviceCaps): Tactic[] {
  const [nb, c, h, w] = s.inputShape;
  const [, o, oh, ow] = s.outputShape;
  const [, cg, kh, kw] = s.weightShape;
  if (s.group !== c || o !== c || cg !== 1 || (s.intOut && !s.y)) return [];
  const count = nb * c * oh * ow;
  const quads = Math.ceil(count / 4);
  const bytesOut = !!s.y && !s.yFloat;
  const weights = Int32Array.from(s.weights);
  const params = channelParams({ groups: c, k: kh * kw, n: 1, at: (g, k) => s.weights[g * kh * kw + k]!, x: s.x, weightScales: s.weightScales, ...(s.bias ? { bias: s.bias } : {}), ...(s.y ? { y: s.y } : {}) });
  const zp = zeroPointPart(1, s.x, s.xZeroPoint);
  const first = 1 + zp.bindings.length;
  const [sh, sw] = s.strides;
  const [pt, pl] = s.pads;
  const [dh, dw] = s.dilations;
  // a byte in the signed domain: uint8 b counts as b − 128 (as the tile's flipped bytes), int8 sign-extends
  const signed = (b: string) => (s.x.signed ? `(bitcast<i32>(${b} << 24u) >> 24u)` : `(i32(${b}) - 128)`);
  const finish = int8Finish({ x: s.x, relu: !!s.relu, ...(s.act ? { act: s.act } : {}), zxRuntime: !!s.xZeroPoint, ...(s.y ? { y: s.y } : {}) });
  const taps: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      taps.push(`    { let iy = y0 + ${i * dh}; let ix = x0 + ${j * dw}; var b = ${zp.byte};
      if (iy >= 0 && iy < ${h} && ix >= 0 && ix < ${w}) { b = byteAt(plane + u32(iy) * ${w}u + u32(ix)); }
      acc = acc + ${signed('b')} * wd[ch * ${kh * kw}u + ${i * kw + j}u]; }`);
    }
  }
  return WORKGROUPS.flatMap((wg) => {
    const g = grid(Math.ceil(quads / wg), caps);
    if (!g) return [];
    const [gx, gy] = g;
    const wgsl = `${inputBytes(0, s.inputStorage)}${zp.wgsl}
@group(0) @binding(${first}) var<storage, read> wd: array<i32>;
@group(0) @binding(${first + 1}) var<storage, read> qp: array<u32>;
@group(0) @binding(${first + 2}) var<storage, read_write> ${bytesOut ? 'yq: array<u32>' : `yf: array<${s.halfOut ? 'f16' : 'f32'}>`};
var<private> grp: u32;
const N = ${c}u;
${finish}

/** Output element e (NCHW) through the epilogue of its channel (grp stays 0: finish's column n is the channel). */
fn element(e: u32) -> ${s.y ? 'i32' : 'f32'} {
  let p = e % ${oh * ow}u;
  let ch = (e / ${oh * ow}u) % ${c}u;
  let plane = (e / ${oh * ow}u) * ${h * w}u;
  let y0 = i32(p / ${ow}u) * ${sh} - ${pt};
  let x0 = i32(p % ${ow}u) * ${sw} - ${pl};
  var acc = 0;
${taps.join('\n')}
  return finish(ch, acc);
}

@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let q = (wid.y * ${gx}u + wid.x) * ${wg}u + lid;
  if (q >= ${quads}u) { return; }
${bytesOut
    ? `  var word = 0u;
  for (var j = 0u; j < 4u; j = j + 1u) {
    let e = q * 4u + j;
    if (e < ${count}u) { word = word | ((u32(element(e)) & 0xffu) << (8u * j)); }
  }
  yq[q] = word;`
    : `  for (var j = 0u; j < 4u; j = j + 1u) {
    let e = q * 4u + j;
    if (e < ${count}u) { yf[e] = ${s.halfOut ? 'f16(element(e))' : s.y ? 'f32(element(e))' : 'element(e)'}; }
  }`}
}
`;
    return [{
      name: `int8-dw-wg${wg}`,
      programs: [{ wgsl, bindings: [{ tensor: s.input }, ...zp.bindings, { constant: 0 }, { constant: 1 }, { tensor: s.output }], workgroups: [gx, gy, 1] as [number, number, number] }],
      constants: [new Uint8Array(weights.buffer), new Uint8Array(params.buffer)],
      scratch: [],
    }];
  });
}
