// Gemm tactics: y = act(x·W + bias + residual) with x [M, K] read in its format (row-major, or a
// channels-last image flattened in ONNX's NCHW order) and W [K, N] constant: tiled products,
// split-K for small M·N and deep K, and GEMV tactics for M ≤ 4.
import type { GemmLayer, NetTensor } from '../network.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { declareTensor, imageDims, loaders } from './access.js';
import { layoutStrides, sameOrder } from './convert.js';
import type { PartBuilder } from './matmul-tile.js';
import { epilogueUnfit, rowView, type EpiloguePart, type RowView } from './matrix/epilogue.js';
import type { ChoiceOptions } from './matrix/choices.js';
import { matmulTactics } from './matrix/matmul-tactics.js';
import { denseRowsFill, weightStorage } from './matrix/weights.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';

/** The A operand over x seen as [M, K] (see MatmulProblem.a), and whether it reads quads. */
function gemmInput(x: NetTensor, k: number, rows: boolean): { part: PartBuilder; quads: boolean } {
  const s = x.format.storage;
  const image = !rows && (x.shape.length === 4 || x.shape.length === 3) ? imageDims(x) : undefined;
  const hw = image ? image[2] * image[3] : 1;
  let body: string;
  let quads = false;
  if (x.format.layout === 'nhwc' && hw > 1) {
    // logical k = c·H·W + p, stored at pixel p, channel c
    const c = image![1];
    body = `struct ARow { base: u32 }
fn rowA(m: u32) -> ARow { return ARow(m * ${k}u); }
fn loadA(r: ARow, k: u32) -> f32 { return load_x(r.base + (k % ${hw}u) * ${c}u + k / ${hw}u); }
`;
  } else {
    quads = s !== 'f16x2' || k % 2 === 0;
    body = `struct ARow { base: u32 }
fn rowA(m: u32) -> ARow { return ARow(m * ${k}u); }
fn loadA(r: ARow, k: u32) -> f32 { return load_x(r.base + k); }
fn loadA4(r: ARow, k: u32) -> vec4<f32> { let i = r.base + k; return vec4<f32>(load2_x(i), load2_x(i + 2u)); }
`;
  }
  return {
    part: (first) => ({ wgsl: declareTensor(first, 'x', s) + loaders('x', s) + body, bindings: [{ tensor: x.name }] }),
    quads,
  };
}

const rowMajorFormat = (t: NetTensor) => sameOrder(t.shape, layoutStrides(t), stridesOf(t.shape));

export const compileGemm: LayerCompiler<GemmLayer> = (layer, ctx) => gemmTactics(layer, ctx);

/** compileGemm with control over how many tile and split-K candidates are kept (tests take them all). */
export function gemmTactics(layer: GemmLayer, ctx: KernelContext, choice: ChoiceOptions = {}): Tactic[] | string {
  const x = ctx.tensors.get(layer.input);
  const y = ctx.tensors.get(layer.output);
  if (!x || !y) return `gemm ${layer.name}: tensor ${!x ? layer.input : layer.output} is not in the network`;
  const { k, n } = layer;
  const m = elementCount(x.shape) / k;
  if (!Number.isInteger(m) || layer.weights.length !== k * n) {
    return `gemm ${layer.name}: input [${x.shape}] and weights ${layer.weights.length} do not make [M, ${k}]·[${k}, ${n}]`;
  }
  // A of rank > 2 (MatMul over rows): y is [..leading, N], row-major like x (layerKind.rowMajor)
  const rows = x.shape.length > 2 && y.shape.length === x.shape.length;
  if (layer.parts) return partsTactics(layer, ctx, x, m, rows, choice);
  if (rows) {
    const sameLead = y.shape.slice(0, -1).every((d, i) => d === x.shape[i]) && y.shape[y.shape.length - 1] === n && x.shape[x.shape.length - 1] === k;
    if (!sameLead) return `gemm ${layer.name}: output [${y.shape}] is not [${x.shape.slice(0, -1)}, ${n}]`;
    for (const t of [x, y]) if (!rowMajorFormat(t)) return `gemm ${layer.name}: ${t.name} is not row-major (layout ${t.format.layout})`;
  } else if (y.shape.length !== 2 || y.shape[0] !== m || y.shape[1] !== n) return `gemm ${layer.name}: output [${y.shape}] is not [${m}, ${n}]`;
  let out: RowView = rows ? { tensor: y, channels: n, pixels: 1 } : rowView(y);
  const place = ctx.placement.get(layer.output);
  if (place && rows) return `gemm ${layer.name}: a rank-${y.shape.length} output placed into a concat is not supported`;
  if (place) {
    const target = ctx.tensors.get(place.target);
    if (!target) return `gemm ${layer.name}: concat target ${place.target} is not a network tensor`;
    out = rowView(target);
    if (target.shape[0] !== m || out.pixels !== 1 || place.channelOffset + n > out.channels) {
      return `gemm ${layer.name}: output [${y.shape}] does not fit at column ${place.channelOffset} of ${target.name} [${target.shape}]`;
    }
  }
  const channelOffset = place?.channelOffset ?? 0;
  let residual: RowView | undefined;
  if (layer.residual) {
    const r = ctx.tensors.get(layer.residual);
    if (!r || elementCount(r.shape) !== m * n) return `gemm ${layer.name}: residual ${layer.residual} is not an [${m}, ${n}] tensor`;
    residual = { tensor: r, channels: n, pixels: 1 };
    if (rows ? !rowMajorFormat(r) : r.format.layout === 'nhwc' && r.shape.length >= 3 && rowView(r).pixels > 1) {
      return `gemm ${layer.name}: residual ${r.name} is a channels-last image, not [${m}, ${n}] rows`;
    }
  }
  const unfit = epilogueUnfit({ out, channelOffset, evenPairs: true, groupChannels: n });
  if (unfit) return `gemm ${layer.name}: ${unfit}`;
  const a = gemmInput(x, k, rows);
  const tactics = matmulTactics({
    prefix: 'gemm', m, n, k, groups: 1, a: a.part, aQuads: a.quads,
    weightFill: denseRowsFill(layer.weights, k, n), storage: weightStorage(layer, out.tensor, x), bias: layer.bias,
    out, channelOffset, residual, act: layer.act,
  }, ctx.caps, choice);
  return tactics.length ? tactics : `gemm ${layer.name}: no tile configuration fits the device limits`;
}

/** Merged sibling products (GemmLayer.parts): one product, its columns stored into each part's tensor. */
function partsTactics(layer: GemmLayer, ctx: KernelContext, x: NetTensor, m: number, rows: boolean, choice: ChoiceOptions): Tactic[] | string {
  const { k, n } = layer;
  const parts: EpiloguePart[] = [];
  let start = 0;
  for (const p of layer.parts!) {
    const y = ctx.tensors.get(p.output);
    if (!y) return `gemm ${layer.name}: tensor ${p.output} is not in the network`;
    if (ctx.placement.has(p.output)) return `gemm ${layer.name}: part ${p.output} placed into a concat is not supported`;
    // any row-major tensor of M rows of the part's columns (its leading axes may group M otherwise)
    if (elementCount(y.shape) !== m * p.n || y.shape[y.shape.length - 1] !== p.n) return `gemm ${layer.name}: part ${p.output} [${y.shape}] is not ${m} rows of ${p.n}`;
    if (!rowMajorFormat(y)) return `gemm ${layer.name}: ${y.name} is not row-major (layout ${y.format.layout})`;
    const out: RowView = { tensor: y, channels: p.n, pixels: 1 };
    const unfit = epilogueUnfit({ out, channelOffset: 0, evenPairs: true, groupChannels: p.n });
    if (unfit) return `gemm ${layer.name}: ${unfit}`;
    parts.push({ out, start, width: p.n });
    start += p.n;
  }
  if (start !== n || layer.residual) return `gemm ${layer.name}: parts of ${start} columns for ${n}${layer.residual ? ', with a residual' : ''}`;
  if (rows && !rowMajorFormat(x)) return `gemm ${layer.name}: ${x.name} is not row-major (layout ${x.format.layout})`;
  const a = gemmInput(x, k, rows);
  const out = parts[0]!.out;
  const tactics = matmulTactics({
    prefix: 'gemm', m, n, k, groups: 1, a: a.part, aQuads: a.quads,
    weightFill: denseRowsFill(layer.weights, k, n), storage: weightStorage(layer, out.tensor, x), bias: layer.bias,
    out, channelOffset: 0, parts, act: layer.act,
  }, ctx.caps, choice);
  return tactics.length ? tactics : `gemm ${layer.name}: no tile configuration fits the device limits`;
}
