// The A operand of convolutions as implicit GEMMs: row m is an output pixel (batch·OH·OW), column
// k = (kh·KW + kw)·Cg + ci a tap and an input channel of the pixel's group, read from the input in
// its own format. Each thread computes a row's image base and window origin once, outside the K
// loop; in channels-last inputs consecutive k are consecutive channels, read in pairs or quads.
import type { ConvLayer, NetTensor } from '../../network.js';
import { declareTensor, imageDims, loaders } from '../access.js';
import type { PartBuilder } from '../matmul-tile.js';

export interface ConvGeometry {
  batch: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Top and left padding. */
  pt: number;
  pl: number;
  group: number;
  /** Input and output channels per group. */
  cg: number;
  ng: number;
  /** Some window tap falls outside the input: loads are bounds-checked. */
  padded: boolean;
}

/** The 2-D geometry of a conv layer (1-D as H = 1), or why it is inconsistent. */
export function convGeometry(layer: ConvLayer, x: NetTensor, y: NetTensor): ConvGeometry | string {
  if (x.shape.length !== y.shape.length || (x.shape.length !== 4 && x.shape.length !== 3)) {
    return `convolution ${layer.name}: input rank ${x.shape.length} and output rank ${y.shape.length} (only 1-D and 2-D images)`;
  }
  const [batch, cin, h, w] = imageDims(x);
  const [yb, cout, oh, ow] = imageDims(y);
  const [o, cg, kh, kw] = layer.weightShape;
  const group = layer.group;
  if (yb !== batch || o !== cout || cg * group !== cin || cout % group !== 0) {
    return `convolution ${layer.name}: weights [${layer.weightShape}] with group ${group} do not match input [${x.shape}] and output [${y.shape}]`;
  }
  const [sh, sw] = layer.strides;
  const [dh, dw] = layer.dilations;
  const [pt, pl] = layer.pads;
  const lastH = (oh - 1) * sh - pt + (kh - 1) * dh;
  const lastW = (ow - 1) * sw - pl + (kw - 1) * dw;
  const padded = pt > 0 || pl > 0 || lastH >= h || lastW >= w;
  return { batch, cin, h, w, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, group, cg, ng: cout / group, padded };
}

/** A 1×1 window with stride 1 and no padding: the input is already the A matrix. */
export const isPointwise = (g: ConvGeometry): boolean =>
  g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && !g.padded;

/** Whether convInput reads quads (loadA4): channels-last input and an even channel count per group. */
export const convInputQuads = (g: ConvGeometry, x: NetTensor): boolean => x.format.layout === 'nhwc' && g.cg % 2 === 0;

/** The A operand (see MatmulProblem.a) of an implicit GEMM over input `x`. */
export function convInput(g: ConvGeometry, x: NetTensor): PartBuilder {
  const nhwc = x.format.layout === 'nhwc';
  const s = x.format.storage;
  const P = g.oh * g.ow;
  const chan = g.group > 1 ? `grp * ${g.cg}u + ci` : 'ci';
  const pointwise = isPointwise(g);
  let body: string;
  if (pointwise) {
    // Row base: the pixel's first channel (channels-last) or its position in channel 0's plane.
    const row = nhwc ? `ARow(m * ${g.cin}u)` : `ARow(m / ${P}u * ${g.cin * P}u + m % ${P}u)`;
    const at = nhwc ? `r.base + ${chan}` : `r.base + (${chan}) * ${P}u`;
    body = `struct ARow { base: u32 }
fn rowA(m: u32) -> ARow { return ${row}; }
fn addrA(r: ARow, ci: u32) -> u32 { return ${at}; }
fn loadA(r: ARow, k: u32) -> f32 { return load_x(addrA(r, k)); }
fn loadA4(r: ARow, k: u32) -> vec4<f32> { let i = addrA(r, k); return vec4<f32>(load2_x(i), load2_x(i + 2u)); }
`;
  } else {
    const decompose = g.kh * g.kw === 1
      ? 'let ci = k; let ih = r.ih; let iw = r.iw;'
      : `let ci = k % ${g.cg}u; let tap = k / ${g.cg}u;
  let ih = r.ih + i32((tap / ${g.kw}u) * ${g.dh}u); let iw = r.iw + i32((tap % ${g.kw}u) * ${g.dw}u);`;
    const inside = g.padded ? `u32(ih) < ${g.h}u && u32(iw) < ${g.w}u` : 'true';
    const at = nhwc
      ? `r.base + (u32(ih) * ${g.w}u + u32(iw)) * ${g.cin}u + ${chan}`
      : `r.base + ((${chan}) * ${g.h}u + u32(ih)) * ${g.w}u + u32(iw)`;
    body = `struct ARow { base: u32, ih: i32, iw: i32 }
fn rowA(m: u32) -> ARow {
  let p = m % ${P}u;
  return ARow(m / ${P}u * ${g.cin * g.h * g.w}u, i32((p / ${g.ow}u) * ${g.sh}u) - ${g.pt}, i32((p % ${g.ow}u) * ${g.sw}u) - ${g.pl});
}
fn loadA(r: ARow, k: u32) -> f32 {
  ${decompose}
  if (!(${inside})) { return 0.0; }
  return load_x(${at});
}
fn loadA2(r: ARow, k: u32) -> vec2<f32> {
  ${decompose}
  if (!(${inside})) { return vec2<f32>(0.0); }
  return load2_x(${at});
}
fn loadA4(r: ARow, k: u32) -> vec4<f32> {
  ${g.cg % 4 === 0 ? `${decompose}
  if (!(${inside})) { return vec4<f32>(0.0); }
  let i = ${at};
  return vec4<f32>(load2_x(i), load2_x(i + 2u));` : 'return vec4<f32>(loadA2(r, k), loadA2(r, k + 2u));'}
}
`;
  }
  return (first) => ({
    wgsl: declareTensor(first, 'x', s) + loaders('x', s) + body,
    bindings: [{ tensor: x.name }],
  });
}
