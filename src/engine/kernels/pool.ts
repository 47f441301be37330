// Max and average pooling over any input/output layout and storage. Direct tactics: one
// invocation per pair of output elements (in NHWC a pixel × channel pair sharing one window walk).
// Global-style pools (one output pixel, a big window such as 7×7 or 56×56) also get a workgroup
// reduction tactic: threads split the window, partial results meet in workgroup memory.
import type { DeviceCaps } from '../../devices/webgpu/caps.js';
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import type { NetTensor, PoolLayer } from '../network.js';
import { declareTensor, f32Literal, imageDims, loaders } from './access.js';
import { KernelReason, groupGrid, outputSink, layoutStrides, tacticsOrReason, tensorOf } from './convert.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';
import { bytePoolTactic } from './pool-bytes.js';
import { windowWalk } from './pool-window.js';
import { isByteStorage } from '../../devices/webgpu/storage.js';

/** Physical strides of (n, c, h, w) of an image tensor (rank 3 has no h axis: stride 0). */
function imageStrides(t: NetTensor): [number, number, number, number] {
  const s = layoutStrides(t);
  return s.length === 4 ? [s[0]!, s[1]!, s[2]!, s[3]!] : [s[0]!, s[1]!, 0, s[2]!];
}

/** Window positions along one axis that land inside [lo, hi), for output position `o`. */
function countInRange(o: number, size: number, stride: number, pad: number, dilation: number, lo: number, hi: number): number {
  let n = 0;
  for (let k = 0; k < size; k++) {
    const i = o * stride - pad + k * dilation;
    if (i >= lo && i < hi) n++;
  }
  return n;
}

interface PoolGeometry {
  layer: PoolLayer;
  input: NetTensor;
  out: NetTensor;
  dims: [number, number, number, number];
  outDims: [number, number, number, number];
  is: [number, number, number, number];
}

/** WGSL of the combine step, the start value and (for avg) the final division. */
function combine(g: PoolGeometry, t: string) {
  const max = g.layer.op === 'max';
  return {
    init: max ? `${t}(${NEG_INF})` : `${t}(0.0)`,
    step: (acc: string, v: string) => (max ? `${t === 'f32' ? 'nmax_' : 'nmax2_'}(${acc}, ${v})` : `${acc} + ${v}`),
  };
}

/**
 * `pool_(n, c, oh, ow)`: the pooled value of channel c (or channels c, c+1 as a vec2 when
 * `paired`) at output pixel (oh, ow), walking the window and skipping cells outside the input.
 */
function windowFunction(g: PoolGeometry, paired: boolean): string {
  const { layer } = g;
  const [, , H, W] = g.dims;
  const [sn, sc, sh, sw] = g.is;
  const [kh, kw] = layer.kernel;
  const [pt, pl, pb, pr] = layer.pads;
  const t = paired ? 'vec2<f32>' : 'f32';
  const { init, step } = combine(g, t);
  const at = `n * ${sn}u + c * ${sc}u + u32(ih) * ${sh}u + u32(iw) * ${sw}u`;
  const load = !paired ? `load_in0(${at})` : sc === 1 ? `load2_in0(${at})` : `vec2<f32>(load_in0(${at}), load_in0(${at} + ${sc}u))`;
  const avg = layer.op === 'avg';
  // count_include_pad counts window cells inside the padded input (cells past it, from ceil mode, never count)
  const divisor = !avg ? '' : layer.countIncludePad
    ? `  var ch = 0u; var cw = 0u;
  for (var k = 0i; k < ${kh}i; k++) { let ih = h0 + k * ${layer.dilations[0]}i; if (ih >= ${-pt}i && ih < ${H + pb}i) { ch++; } }
  for (var k = 0i; k < ${kw}i; k++) { let iw = w0 + k * ${layer.dilations[1]}i; if (iw >= ${-pl}i && iw < ${W + pr}i) { cw++; } }
  return acc / ${t}(f32(max(ch * cw, 1u)));\n`
    : `  return acc / ${t}(f32(max(cnt, 1u)));\n`;
  return `fn pool_(n: u32, c: u32, oh: u32, ow: u32) -> ${t} {
  var acc = ${init};
  var cnt = 0u;
${windowWalk(layer, H, W, `acc = ${step('acc', load)};\n      cnt++;`)}
${avg ? divisor : '  return acc;\n'}}
`;
}

/** One invocation per output pair; pairs of channels of one pixel share the window walk. */
function directTactic(g: PoolGeometry, ctx: KernelContext, wg: number): Tactic {
  const sink = outputSink(ctx, g.out);
  const os = layoutStrides(g.out);
  const [N, C, OH, OW] = g.outDims;
  const oStrides: [number, number, number, number] = os.length === 4 ? [os[0]!, os[1]!, os[2]!, os[3]!] : [os[0]!, os[1]!, 1, os[2]!];
  const coord = (q: string, k: number, size: number) => (size === 1 ? '0u' : `((${q}) / ${oStrides[k]}u) % ${size}u`);
  const at = (q: string) => `${coord(q, 0, N)}, ${coord(q, 1, C)}, ${coord(q, 2, OH)}, ${coord(q, 3, OW)}`;
  // channels are the innermost output axis and pair up: both elements of a pair share a pixel
  const paired = oStrides[1] === 1 && C % 2 === 0;
  const pairs = Math.ceil(sink.count / 2);
  const grid = groupGrid(Math.ceil(pairs / wg), ctx.caps);
  const value = paired ? `pool_(${at('q')})` : `vec2<f32>(pool_(${at('q')}), pool_(${at('q + 1u')}))`;
  const wgsl = `${sink.wgsl}${declareTensor(1, 'in0', g.input.format.storage)}${loaders('in0', g.input.format.storage)}${INFINITY}${NAN_MINMAX}
${windowFunction(g, paired)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let pair = ${grid.group} * ${wg}u + lid;
  if (pair >= ${pairs}u) { return; }
  let q = pair * 2u;
  write_pair(q, ${value});
}
`;
  return {
    name: `pool-direct-wg${wg}`,
    programs: [{ wgsl, bindings: [sink.binding, { tensor: g.input.name }], workgroups: grid.workgroups }],
    constants: [], scratch: [],
  };
}

/**
 * One output pixel: a workgroup of CX channels × PY lanes; each lane walks every PY-th window
 * cell, then lanes combine in workgroup memory. Channels run along x so NHWC reads coalesce.
 */
function reductionTactic(g: PoolGeometry, ctx: KernelContext, caps: DeviceCaps): Tactic {
  const { layer } = g;
  const [N, C, H, W] = g.dims;
  const [sn, sc, sh, sw] = g.is;
  const [kh, kw] = layer.kernel;
  const [pt, pl, pb, pr] = layer.pads;
  const [dh, dw] = layer.dilations;
  const sink = outputSink(ctx, g.out);
  let cx = 2;
  while (sc === 1 && cx < 32 && cx < C) cx *= 2;
  const py = Math.min(256, caps.maxInvocationsPerWorkgroup) / cx;
  const blocks = Math.ceil(C / cx);
  const grid = groupGrid(N * blocks, caps);
  const { init, step } = combine(g, 'f32');
  const valid = countInRange(0, kh, 1, pt, dh, 0, H) * countInRange(0, kw, 1, pl, dw, 0, W);
  const padded = countInRange(0, kh, 1, pt, dh, -pt, H + pb) * countInRange(0, kw, 1, pl, dw, -pl, W + pr);
  const scale = layer.op === 'max' ? '' : ` / ${f32Literal(Math.max(1, layer.countIncludePad ? padded : valid))}`;
  const write = sink.storage === 'f16x2'
    ? `if (ly == 0u && (lx & 1u) == 0u && c < ${C}u) { write_pair(n * ${C}u + c, vec2<f32>(red[lx], red[lx + 1u])${scale}); }`
    : `if (ly == 0u && c < ${C}u) { write_one(n * ${C}u + c, red[lx]${scale}); }`;
  const wgsl = `${sink.wgsl}${declareTensor(1, 'in0', g.input.format.storage)}${loaders('in0', g.input.format.storage)}${INFINITY}${NAN_MINMAX}
var<workgroup> red: array<f32, ${cx * py}>;
@compute @workgroup_size(${cx}, ${py})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = ${grid.group};
  if (g >= ${N * blocks}u) { return; }
  let lx = lid.x;
  let ly = lid.y;
  let n = g / ${blocks}u;
  let c = (g % ${blocks}u) * ${cx}u + lx;
  var acc = ${init};
  if (c < ${C}u) {
    for (var j = ly; j < ${kh * kw}u; j += ${py}u) {
      let ih = i32(j / ${kw}u) * ${dh}i - ${pt}i;
      let iw = i32(j % ${kw}u) * ${dw}i - ${pl}i;
      if (ih >= 0i && ih < ${H}i && iw >= 0i && iw < ${W}i) {
        acc = ${step('acc', `load_in0(n * ${sn}u + c * ${sc}u + u32(ih) * ${sh}u + u32(iw) * ${sw}u)`)};
      }
    }
  }
  red[ly * ${cx}u + lx] = acc;
  workgroupBarrier();
  for (var s = ${py / 2}u; s > 0u; s >>= 1u) {
    if (ly < s) { red[ly * ${cx}u + lx] = ${step(`red[ly * ${cx}u + lx]`, `red[(ly + s) * ${cx}u + lx]`)}; }
    workgroupBarrier();
  }
  ${write}
}
`;
  return {
    name: `pool-reduce-${cx}x${py}`,
    programs: [{ wgsl, bindings: [sink.binding, { tensor: g.input.name }], workgroups: grid.workgroups }],
    constants: [], scratch: [],
  };
}

/** Windows at least this big get the workgroup reduction tactic when the output is one pixel. */
const REDUCTION_MIN_WINDOW = 16;

export const compilePool: LayerCompiler<PoolLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const input = tensorOf(ctx, layer.input, layer.name);
    const out = tensorOf(ctx, layer.output, layer.name);
    if (input.shape.length !== 4 && input.shape.length !== 3) throw new KernelReason(`pool ${layer.name}: input rank ${input.shape.length} is not 3 or 4`);
    const dims = imageDims(input);
    const outDims = imageDims(out);
    if (dims[0] !== outDims[0] || dims[1] !== outDims[1]) throw new KernelReason(`pool ${layer.name}: input and output differ in batch or channels`);
    // integers into bytes (int8-max-pool): four channels a word
    if (isByteStorage(out.format.storage)) return [bytePoolTactic(layer, input, out, ctx)];
    const g: PoolGeometry = { layer, input, out, dims, outDims, is: imageStrides(input) };
    const tactics = [directTactic(g, ctx, 64), directTactic(g, ctx, 256)];
    const onePixel = outDims[2] * outDims[3] === 1;
    if (onePixel && layer.kernel[0] * layer.kernel[1] >= REDUCTION_MIN_WINDOW && ctx.caps.maxInvocationsPerWorkgroup >= 64) {
      tactics.push(reductionTactic(g, ctx, ctx.caps));
    }
    return tactics;
  });
