// Flash-attention kernel of the attention layer: a workgroup owns BQ query rows of one batch
// entry (one invocation per row, its scaled Q row and f32 output accumulator in registers) and
// walks the keys in blocks of BK: the block's K and V rows go through workgroup memory, each
// invocation scores its row against them and folds the block into a running max m and sum l
// (online softmax: when the max grows by δ, l and the accumulator shrink by exp(−δ)). O = acc/l is
// written once; the Sq×Sk scores never exist. Every operand is read through its view's strides in
// any storage (access.ts loaders), so transposed K, split heads and grouped kv heads need no copies.
// The timer also weighs attention-split.ts, which shares each row among several invocations, and
// attention-mma.ts and attention-mma-direct.ts, which multiply on subgroup matrices (tensor cores).
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import { stridesOf } from '../../tensor/shape.js';
import { attentionDimsOf, type AttentionLayer } from '../layers/attention.js';
import type { TensorView } from '../layers/tensor-view.js';
import type { NetTensor } from '../network.js';
import { f32Literal } from './access.js';
import { gemmAttentionPrograms } from './attention-gemm.js';
import { attentionAddressing, bindAttention, pairedRows, queryBlockEntry, rowState } from './attention-parts.js';
import { mmaAttentionPrograms } from './attention-mma.js';
import { directMmaAttentionPrograms } from './attention-mma-direct.js';
import { splitKeyPrograms } from './attention-split.js';
import { groupGrid, KernelReason, layoutStrides, sameOrder, tacticsOrReason, tensorOf } from './convert.js';
import type { KernelContext, LayerCompiler, Tactic } from './tactic.js';

/** Query rows per workgroup × keys per block: the timed candidates, in order of preference. */
const BLOCKS: readonly [number, number][] = [[64, 32], [32, 64], [128, 16]];

/** The output statements for row i (`base` its first element): pairs where the layout allows. */
function storeRow(layer: AttentionLayer, out: NetTensor, dv: number): string {
  if (pairedRows(layer, out, dv)) return `for (var e = 0u; e < ${dv}u; e += 2u) { store2_y(base + e, vec2<f32>(acc[e], acc[e + 1u]) * inv); }`;
  const se = layer.outStrides[layer.outStrides.length - 1]!;
  return `for (var e = 0u; e < ${dv}u; e++) { store_y(base + e * ${se}u, acc[e] * inv); }`;
}

function program(layer: AttentionLayer, ctx: KernelContext, out: NetTensor, bq: number, bk: number): Tactic {
  const { batch, sq, d, sk, dv } = attentionDimsOf(layer);
  const b = bindAttention(layer, ctx, out);
  const addressing = attentionAddressing(layer, b);
  const { offsets, maskTerms, keep, qs, qd, kd, kk, vk, ve, os } = addressing;
  const ld = (v: TensorView) => b.load(v);
  const qBlocks = Math.ceil(sq / bq);
  const groups = batch.reduce((a, x) => a * x, 1) * qBlocks;
  const grid = groupGrid(groups, ctx.caps);
  const wgsl = `${b.wgsl}${INFINITY}${NAN_MINMAX}${offsets}
var<workgroup> kb: array<f32, ${bk * d}>;
var<workgroup> vb: array<f32, ${bk * dv}>;

@compute @workgroup_size(${bq})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
${queryBlockEntry(grid.group, groups, qBlocks, bq)}
  let row = min(q0 + lid, ${sq - 1}u);
  var q: array<f32, ${d}>;
  let qBase = offQ(g) + row * ${qs}u;
  for (var c = 0u; c < ${d}u; c++) { q[c] = ${ld(layer.q)}(qBase + c * ${qd}u) * ${f32Literal(layer.scale)}; }
${rowState(addressing, dv, bq)}
  for (var j0 = 0u; j0 < kEnd; j0 += ${bk}u) {
    workgroupBarrier();
    for (var t = lid; t < ${bk * d}u; t += ${bq}u) {
      let key = min(j0 + t / ${d}u, ${sk - 1}u);
      kb[t] = ${ld(layer.kt)}(kBase + (t % ${d}u) * ${kd}u + key * ${kk}u);
    }
    for (var t = lid; t < ${bk * dv}u; t += ${bq}u) {
      let key = min(j0 + t / ${dv}u, ${sk - 1}u);
      vb[t] = ${ld(layer.v)}(vBase + key * ${vk}u + (t % ${dv}u) * ${ve}u);
    }
    workgroupBarrier();
    let jn = min(${bk}u, kEnd - j0);
    var s: array<f32, ${bk}>;
    var bm = ${NEG_INF};
    for (var j = 0u; j < ${bk}u; j++) {
      let key = j0 + j;
      var x = ${NEG_INF};
      if (${keep}) {
        var dot = 0.0;
        for (var c = 0u; c < ${d}u; c++) { dot += q[c] * kb[j * ${d}u + c]; }
        x = dot${maskTerms};
      }
      s[j] = x;
      bm = nmax_(bm, x);
    }
    let mn = nmax_(m, bm);
    // a block whose keys are all masked (−∞) so far changes nothing (and exp(−∞ + ∞) is NaN)
    if (mn > ${NEG_INF}) {
      let c = exp(m - mn);
      l *= c;
      for (var e = 0u; e < ${dv}u; e++) { acc[e] *= c; }
      for (var j = 0u; j < jn; j++) {
        let p = exp(s[j] - mn);
        l += p;
        for (var e = 0u; e < ${dv}u; e++) { acc[e] += p * vb[j * ${dv}u + e]; }
      }
      m = mn;
    }
  }
  if (q0 + lid >= ${sq}u) { return; }
  let inv = ${f32Literal(layer.outScale)} / l;
  let base = offO(g) + row * ${os}u;
  ${storeRow(layer, out, dv)}
}
`;
  return { name: `attention-q${bq}-k${bk}`, programs: [{ wgsl, bindings: b.bindings, workgroups: grid.workgroups }], constants: b.constants, scratch: [] };
}

/**
 * Subgroup-matrix flash kernels: the direct one, or where it cannot read the operands in place the
 * staged one (on an H100 the direct kernel ran BERT-base's attention in 0.046 ms against 0.18,
 * ViT-B/16's in 0.10 against 0.35, Whisper-tiny's in 0.31 against 0.84).
 */
function mmaCandidates(layer: AttentionLayer, ctx: KernelContext, out: NetTensor): Tactic[] {
  const direct = directMmaAttentionPrograms(layer, ctx, out);
  return direct.length ? direct : mmaAttentionPrograms(layer, ctx, out);
}

export const compileAttention: LayerCompiler<AttentionLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const out = tensorOf(ctx, layer.output, layer.name);
    if (ctx.placement.has(out.name)) throw new KernelReason(`attention ${layer.name}: an output placed into a concat is not supported`);
    if (!sameOrder(out.shape, layoutStrides(out), stridesOf(out.shape))) throw new KernelReason(`attention ${layer.name}: output is not row-major`);
    const { sq, d, dv } = attentionDimsOf(layer);
    const fits = (bk: number) => bk * (d + dv) * 4 <= ctx.caps.maxWorkgroupStorage;
    let blocks = BLOCKS.filter(([bq, bk]) => bq <= ctx.caps.maxInvocationsPerWorkgroup && fits(bk));
    if (!blocks.length) {
      let bk = 16;
      while (bk > 1 && !fits(bk)) bk /= 2;
      if (!fits(bk)) throw new KernelReason(`attention ${layer.name}: head sizes ${d} and ${dv} do not fit workgroup memory`);
      blocks = [[64, bk]];
    }
    // a workgroup much taller than the query count only idles: cap BQ at Sq rounded up to 8
    const cap = Math.max(8, Math.ceil(sq / 8) * 8);
    const seen = new Set<string>();
    const tactics: Tactic[] = [];
    for (const [bq, bk] of blocks) {
      const t = program(layer, ctx, out, Math.min(bq, cap), bk);
      if (!seen.has(t.name)) { seen.add(t.name); tactics.push(t); }
    }
    // after the row-per-invocation blocks (the first candidate is what an untimed build takes);
    // subgroup-matrix ones where the device has them, and the unfused form (scores in scratch) last
    return [...tactics, ...splitKeyPrograms(layer, ctx, out), ...mmaCandidates(layer, ctx, out), ...gemmAttentionPrograms(layer, ctx, out)];
  });
