// Direct convolution for depthwise and other grouped layers: each invocation computes one pair
// of output channels (c, c+1) for `run` adjacent output pixels of a row, so in channels-last
// tensors neighbouring invocations touch neighbouring channel pairs. The input columns a row of
// outputs shares are loaded once per window row and reused across the horizontal taps.
import type { DeviceCaps } from '../../../devices/webgpu/caps.js';
import type { ConvLayer, NetTensor, Storage } from '../../network.js';
import { declareConstant, declareTensor, imageIndex, loaders } from '../access.js';
import { grid, roundUp, type PartBuilder } from '../matmul-tile.js';
import type { EngineProgram } from '../tactic.js';
import type { ConvGeometry } from './conv-input.js';

const THREADS = 128;
/** Beyond this many horizontal taps the window loop is not unrolled. */
const MAX_UNROLLED_SPAN = 32;

/** Weights as [KH·KW·Cg][C_out rounded to even] (tap, input channel, then output channel fastest), so channel pairs are adjacent. */
export function directWeights(layer: ConvLayer, g: ConvGeometry): Float32Array {
  const cPad = roundUp(g.cout, 2);
  const out = new Float32Array(Math.max(4, g.kh * g.kw * g.cg * cPad));
  for (let co = 0; co < g.cout; co++) for (let ci = 0; ci < g.cg; ci++) {
    for (let y = 0; y < g.kh; y++) for (let x = 0; x < g.kw; x++) {
      out[((y * g.kw + x) * g.cg + ci) * cPad + co] = layer.weights[((co * g.cg + ci) * g.kh + y) * g.kw + x]!;
    }
  }
  return out;
}

/**
 * The program: `run` output pixels per invocation (1 when the window is too wide to unroll).
 * Bindings: input, weights (constant `weights` in `storage`), then the epilogue's.
 */
export function directConvProgram(
  g: ConvGeometry, x: NetTensor, weights: number, storage: Storage, epilogue: PartBuilder, run: number, caps: DeviceCaps,
): EngineProgram | string {
  const span = (run - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const unrolled = span <= MAX_UNROLLED_SPAN;
  if (!unrolled) run = 1;
  const pairs = Math.ceil(g.cout / 2);
  const cPad = roundUp(g.cout, 2);
  const runs = Math.ceil(g.ow / run);
  const total = g.batch * g.oh * runs * pairs;
  const dims = grid(Math.ceil(total / THREADS), caps);
  if (!dims || THREADS > caps.maxInvocationsPerWorkgroup) return 'too many invocations for the dispatch limit';
  const depthwise = g.cg === 1 && g.ng === 1;
  // input channels read for output channels c and c+1
  const sameInput = !depthwise && g.ng % 2 === 0;
  const chan0 = depthwise ? 'c' : `(c / ${g.ng}u) * ${g.cg}u + ci`;
  const chan1 = depthwise ? 'c1' : `(c1 / ${g.ng}u) * ${g.cg}u + ci`;
  const pairLoad = depthwise && x.format.layout === 'nhwc' && (x.format.storage !== 'f16x2' || g.cin % 2 === 0) && g.cout % 2 === 0;
  const s = x.format.storage;
  const inside = (iw: string) => (g.padded ? `u32(ih) < ${g.h}u && u32(${iw}) < ${g.w}u` : '');
  const at = (ch: string, iw: string) => imageIndex(x, 'img', ch, 'u32(ih)', `u32(${iw})`);
  const loadExpr = (iw: string) => (pairLoad
    ? `load2_x(${at(chan0, iw)})`
    : sameInput ? `vec2<f32>(load_x(${at(chan0, iw)}))`
      : `vec2<f32>(load_x(${at(chan0, iw)}), load_x(${at(chan1, iw)}))`);
  const load = (name: string, iw: string) => {
    const cond = inside(iw);
    return cond
      ? `var ${name} = vec2<f32>(0.0); if (${cond}) { ${name} = ${loadExpr(iw)}; }`
      : `let ${name} = ${loadExpr(iw)};`;
  };
  const wAt = (tap: string) => `wd[(${tap}) * ${cPad / 2}u + c / 2u]`;
  const wPair = (tap: string) => (storage === 'f32' ? wAt(tap) : storage === 'f16' ? `vec2<f32>(${wAt(tap)})` : `unpack2x16float(${wAt(tap)})`);
  const outs = Array.from({ length: run }, (_, o) => o);

  let window: string;
  if (unrolled) {
    const used = [...new Set(outs.flatMap((o) => Array.from({ length: g.kw }, (_, kw) => o * g.sw + kw * g.dw)))].sort((a, b) => a - b);
    const cols = used.map((j) => `      ${load(`v${j}`, `iw0 + ${j}`)}`).join('\n');
    const taps = Array.from({ length: g.kw }, (_, kw) => {
      const fmas = outs.map((o) => `      acc${o} = fma(v${o * g.sw + kw * g.dw}, w${kw}, acc${o});`).join('\n');
      return `      let w${kw} = ${wPair(`(kh * ${g.kw}u + ${kw}u) * ${g.cg}u + ci`)};\n${fmas}`;
    }).join('\n');
    window = `${cols}\n${taps}`;
  } else {
    window = `      for (var kw = 0u; kw < ${g.kw}u; kw = kw + 1u) {
        let iw = iw0 + i32(kw * ${g.dw}u);
        ${load('v', 'iw')}
        acc0 = fma(v, ${wPair(`(kh * ${g.kw}u + kw) * ${g.cg}u + ci`)}, acc0);
      }`;
  }
  const stores = outs.map((o) => `  if (ow0 + ${o}u < ${g.ow}u) {
    let m = (img * ${g.oh}u + oh) * ${g.ow}u + ow0 + ${o}u;
    ${g.cout % 2 === 0 ? `store2(m, c, acc${o});` : `if (c + 1u < ${g.cout}u) { store2(m, c, acc${o}); } else { store1(m, c, acc${o}.x); }`}
  }`).join('\n');

  const wDecl = storage === 'f16x2'
    ? declareConstant(1, 'wd', 'f16x2')
    : `@group(0) @binding(1) var<storage, read> wd: array<vec2<${storage}>>;\n`;
  const epi = epilogue(2);
  const wgsl = `${declareTensor(0, 'x', s)}${loaders('x', s)}${wDecl}${epi.wgsl}
var<private> grp: u32;

@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = (wid.y * ${dims[0]}u + wid.x) * ${THREADS}u + lid;
  if (id >= ${total}u) { return; }
  grp = 0u;
  let c = (id % ${pairs}u) * 2u;
  let c1 = min(c + 1u, ${g.cout - 1}u);
  var rest = id / ${pairs}u;
  let ow0 = (rest % ${runs}u) * ${run}u;
  rest = rest / ${runs}u;
  let oh = rest % ${g.oh}u;
  let img = rest / ${g.oh}u;
${outs.map((o) => `  var acc${o} = vec2<f32>(0.0);`).join('\n')}
  let iw0 = i32(ow0 * ${g.sw}u) - ${g.pl};
  for (var kh = 0u; kh < ${g.kh}u; kh = kh + 1u) {
    let ih = i32(oh * ${g.sh}u + kh * ${g.dh}u) - ${g.pt};
    for (var ci = 0u; ci < ${g.cg}u; ci = ci + 1u) {
${window}
    }
  }
${stores}
}
`;
  return { wgsl, bindings: [{ tensor: x.name }, { constant: weights }, ...epi.bindings], workgroups: [dims[0], dims[1], 1] };
}
