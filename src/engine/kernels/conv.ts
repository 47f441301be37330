// Convolution tactics. Ungrouped layers run as implicit GEMMs (M = output pixels, N = output
// channels, K = KH·KW·C_in ordered (kh, kw, ci)), a 1×1/stride-1/unpadded window reading its input
// directly as the A matrix; layers with at most four output pixels also get GEMV tactics.
// Depthwise layers run direct (a channel pair per invocation); other grouped layers get both the
// direct kernel and grouped implicit GEMMs. Every tactic ends in the shared epilogue (bias,
// residual, activation) and may write into an in-place concat's output.
import type { ConvLayer, NetTensor } from '../network.js';
import { encodeStorage } from './access.js';
import { convGeometry, convInput, convInputQuads, isPointwise, type ConvGeometry } from './matrix/conv-input.js';
import { directConvProgram, directWeights } from './matrix/direct-conv.js';
import { biasData, epiloguePart, epilogueUnfit, rowView, type RowView } from './matrix/epilogue.js';
import type { ChoiceOptions } from './matrix/choices.js';
import { matmulTactics } from './matrix/matmul-tactics.js';
import { convWeightFill, weightStorage } from './matrix/weights.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';

/** Output pixels per invocation of the direct kernel's variants. */
const DIRECT_RUNS_DEPTHWISE = [1, 2, 4];
const DIRECT_RUNS_GROUPED = [1, 4];

interface Output {
  out: RowView;
  channelOffset: number;
  residual?: RowView;
}

/** Where the layer writes (its output or a concat target) and its residual, or why it cannot. */
function outputs(layer: ConvLayer, y: NetTensor, g: ConvGeometry, ctx: KernelContext): Output | string {
  const place = ctx.placement.get(layer.output);
  let out = rowView(y);
  if (place) {
    const target = ctx.tensors.get(place.target);
    if (!target) return `convolution ${layer.name}: concat target ${place.target} is not a network tensor`;
    out = rowView(target);
    const [tb] = target.shape;
    if (tb !== g.batch || out.pixels !== g.oh * g.ow || place.channelOffset + g.cout > out.channels) {
      return `convolution ${layer.name}: output [${y.shape}] does not fit at channel ${place.channelOffset} of ${target.name} [${target.shape}]`;
    }
  }
  let residual: RowView | undefined;
  if (layer.residual) {
    const r = ctx.tensors.get(layer.residual);
    if (!r) return `convolution ${layer.name}: residual ${layer.residual} is not a network tensor`;
    if (r.shape.join() !== y.shape.join()) return `convolution ${layer.name}: residual [${r.shape}] is not the output's shape [${y.shape}]`;
    residual = rowView(r);
  }
  return { out, channelOffset: place?.channelOffset ?? 0, residual };
}

function directTactics(layer: ConvLayer, g: ConvGeometry, x: NetTensor, o: Output, storageOf: NetTensor, ctx: KernelContext): Tactic[] | string {
  const unfit = epilogueUnfit({ out: o.out, channelOffset: o.channelOffset, evenPairs: true, groupChannels: g.cout });
  if (unfit) return unfit;
  const storage = weightStorage(layer, storageOf, x);
  const constants = [encodeStorage(directWeights(layer, g), storage)];
  if (layer.bias) constants.push(encodeStorage(biasData(layer.bias, g.cout), 'f32'));
  const epilogue = epiloguePart({
    out: o.out, channelOffset: o.channelOffset, groupChannels: g.cout, evenPairs: true,
    biasConstant: layer.bias ? 1 : undefined, residual: o.residual, act: layer.act,
  });
  const depthwise = g.cg === 1 && g.ng === 1;
  const tactics: Tactic[] = [];
  const seen = new Set<string>();
  for (const run of depthwise ? DIRECT_RUNS_DEPTHWISE : DIRECT_RUNS_GROUPED) {
    const p = directConvProgram(g, x, 0, storage, epilogue, run, ctx.caps);
    if (typeof p === 'string') return p;
    if (seen.has(p.wgsl)) continue; // a window too wide to unroll runs one pixel whatever `run` asks
    seen.add(p.wgsl);
    tactics.push({ name: `conv-${depthwise ? 'dw' : 'grouped'}-direct-w${run}`, programs: [p], constants, scratch: [] });
  }
  return tactics;
}

function gemmTactics(layer: ConvLayer, g: ConvGeometry, x: NetTensor, o: Output, storageOf: NetTensor, ctx: KernelContext, choice: ChoiceOptions): Tactic[] | string {
  const unfit = epilogueUnfit({ out: o.out, channelOffset: o.channelOffset, evenPairs: g.group === 1 || g.ng % 2 === 0, groupChannels: g.ng });
  if (unfit) return unfit;
  const pointwise = isPointwise(g);
  return matmulTactics({
    prefix: pointwise ? 'conv-1x1' : 'conv-igemm',
    m: g.batch * g.oh * g.ow, n: g.ng, k: g.kh * g.kw * g.cg, groups: g.group,
    a: convInput(g, x), aQuads: convInputQuads(g, x),
    weightFill: convWeightFill(layer), storage: weightStorage(layer, storageOf, x), bias: layer.bias,
    out: o.out, channelOffset: o.channelOffset, residual: o.residual, act: layer.act,
  }, ctx.caps, choice);
}

export const compileConv: LayerCompiler<ConvLayer> = (layer, ctx) => convTactics(layer, ctx);

/** compileConv with control over how many tile and split-K candidates are kept (tests take them all). */
export function convTactics(layer: ConvLayer, ctx: KernelContext, choice: ChoiceOptions = {}): Tactic[] | string {
  const x = ctx.tensors.get(layer.input);
  const y = ctx.tensors.get(layer.output);
  if (!x || !y) return `convolution ${layer.name}: tensor ${!x ? layer.input : layer.output} is not in the network`;
  const g = convGeometry(layer, x, y);
  if (typeof g === 'string') return g;
  const o = outputs(layer, y, g, ctx);
  if (typeof o === 'string') return o;
  const written = o.out.tensor;
  const depthwise = g.group > 1 && g.cg === 1 && g.ng === 1;
  const tactics: Tactic[] = [];
  const reasons: string[] = [];
  const add = (t: Tactic[] | string) => (typeof t === 'string' ? reasons.push(t) : tactics.push(...t));
  if (g.group > 1) add(directTactics(layer, g, x, o, written, ctx));
  if (!depthwise) add(gemmTactics(layer, g, x, o, written, ctx, choice));
  if (tactics.length === 0) {
    return `convolution ${layer.name}: no tactic fits (${reasons.join('; ') || 'no tile configuration fits the device limits'})`;
  }
  return tactics;
}
