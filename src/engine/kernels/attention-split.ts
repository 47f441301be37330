// The attention kernel with a query row's keys split over R invocations: the row-per-invocation
// kernel (attention.ts) runs Sq × heads invocations, far too few to fill a large GPU at batch 1
// (ViT-B: 2,364 for 132 SMs), each walking every key alone. Here R invocations share a row: each
// scores the keys j ≡ r (mod R) of every K/V block staged in workgroup memory and keeps its own
// online-softmax state (max m, sum l, f32 accumulator); at the end the R states of a row merge
// through workgroup memory (O = Σ e^(m_r − M)·acc_r / Σ e^(m_r − M)·l_r), a chunk of columns per
// round, and each invocation stores its share of the row's columns. Staged rows are padded to an odd stride so that the R
// invocations of a row, reading R different keys, hit R different banks.
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import { attentionDimsOf, type AttentionLayer } from '../layers/attention.js';
import type { NetTensor } from '../network.js';
import { f32Literal } from './access.js';
import { attentionAddressing, bindAttention, pairedRows, queryBlockEntry, rowState } from './attention-parts.js';
import { groupGrid } from './convert.js';
import type { KernelContext, Tactic } from './tactic.js';

/** Query rows per workgroup, keys per block, invocations per row: the candidates offered. */
const SPLITS: readonly [number, number, number][] = [[16, 32, 8], [32, 32, 8], [64, 32, 4]];

const odd = (n: number) => n | 1;

/** Columns of the accumulators merged per round: an even count whose R states per row fit beside the K/V block. */
function mergeChunk(bq: number, bk: number, r: number, d: number, dv: number): number {
  const chunk = Math.floor(bk * (odd(d) + odd(dv)) / (bq * r) / 2) * 2;
  return Math.max(2, Math.min(chunk, dv + (dv % 2)));
}

/** Workgroup memory (floats) of a candidate: the staged K and V block, the rows' (m, l) pairs, a merge round. */
function sharedFloats(bq: number, bk: number, r: number, d: number, dv: number): number {
  return Math.max(bk * (odd(d) + odd(dv)), bq * r * Math.max(2, mergeChunk(bq, bk, r, d, dv)));
}

/** The sum over a row's R scaled accumulators of chunk element `at` (a WGSL f32 expression). */
function merged(r: number, chunk: number, at: string): string {
  return Array.from({ length: r }, (_, i) => `sh[(rl * ${r}u + ${i}u) * ${chunk}u + ${at}]`).join(' + ');
}

function program(layer: AttentionLayer, ctx: KernelContext, out: NetTensor, bq: number, bk: number, r: number): Tactic {
  const { batch, sq, d, sk, dv } = attentionDimsOf(layer);
  const b = bindAttention(layer, ctx, out);
  const a = attentionAddressing(layer, b);
  const qBlocks = Math.ceil(sq / bq);
  const groups = batch.reduce((x, y) => x * y, 1) * qBlocks;
  const grid = groupGrid(groups, ctx.caps);
  const ks = odd(d);
  const vs = odd(dv);
  const vOff = bk * ks;
  const threads = bq * r;
  const perThread = bk / r;
  const se = layer.outStrides[layer.outStrides.length - 1]!;
  // four partial sums: the products of a dot are independent chains the GPU can overlap
  const dot = [`var d0 = 0.0;`, `var d1 = 0.0;`, `var d2 = 0.0;`, `var d3 = 0.0;`,
    `for (var c = 0u; c + 3u < ${d}u; c += 4u) {`,
    `  d0 += q[c] * sh[kr + c]; d1 += q[c + 1u] * sh[kr + c + 1u]; d2 += q[c + 2u] * sh[kr + c + 2u]; d3 += q[c + 3u] * sh[kr + c + 3u];`,
    `}`,
    ...(d % 4 ? [`for (var c = ${d - (d % 4)}u; c < ${d}u; c++) { d0 += q[c] * sh[kr + c]; }`] : []),
  ].join('\n        ');
  // each round: every invocation leaves chunk columns of its accumulator scaled by its weight,
  // then each stores the row's sums of the columns it owns (pairs 2p, 2p + 1 with p ≡ c0 mod R)
  const chunk = mergeChunk(bq, bk, r, d, dv);
  const pairs = pairedRows(layer, out, dv);
  const rounds: string[] = [];
  for (let c = 0; c < dv; c += chunk) {
    const n = Math.min(chunk, dv - c);
    const owned = pairs
      ? `for (var p = ${c / 2}u + c0; p < ${(c + n) / 2}u; p += ${r}u) {
    let e = 2u * p;
    store2_y(base + e, vec2<f32>(${merged(r, chunk, `e - ${c}u`)}, ${merged(r, chunk, `e + 1u - ${c}u`)}) * inv);
  }`
      : `for (var e = ${c}u + c0; e < ${c + n}u; e += ${r}u) { store_y(base + e * ${se}u, (${merged(r, chunk, `e - ${c}u`)}) * inv); }`;
    rounds.push(`workgroupBarrier();
  for (var e = 0u; e < ${n}u; e++) { sh[lid * ${chunk}u + e] = acc[${c}u + e] * ws; }
  workgroupBarrier();
  if (live) {
  ${owned}
  }`);
  }
  const wgsl = `${b.wgsl}${INFINITY}${NAN_MINMAX}${a.offsets}
var<workgroup> sh: array<f32, ${sharedFloats(bq, bk, r, d, dv)}>;

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
${queryBlockEntry(grid.group, groups, qBlocks, bq)}
  let rl = lid / ${r}u;
  let c0 = lid % ${r}u;
  let row = min(q0 + rl, ${sq - 1}u);
  var q: array<f32, ${d}>;
  let qBase = offQ(g) + row * ${a.qs}u;
  for (var c = 0u; c < ${d}u; c++) { q[c] = ${b.load(layer.q)}(qBase + c * ${a.qd}u) * ${f32Literal(layer.scale)}; }
${rowState(a, dv, bq)}
  for (var j0 = 0u; j0 < kEnd; j0 += ${bk}u) {
    workgroupBarrier();
    for (var t = lid; t < ${bk * d}u; t += ${threads}u) {
      let kj = t / ${d}u;
      let key = min(j0 + kj, ${sk - 1}u);
      sh[kj * ${ks}u + t % ${d}u] = ${b.load(layer.kt)}(kBase + (t % ${d}u) * ${a.kd}u + key * ${a.kk}u);
    }
    for (var t = lid; t < ${bk * dv}u; t += ${threads}u) {
      let vj = t / ${dv}u;
      let key = min(j0 + vj, ${sk - 1}u);
      sh[${vOff}u + vj * ${vs}u + t % ${dv}u] = ${b.load(layer.v)}(vBase + key * ${a.vk}u + (t % ${dv}u) * ${a.ve}u);
    }
    workgroupBarrier();
    let jn = min(${bk}u, kEnd - j0);
    var s: array<f32, ${perThread}>;
    var bm = ${NEG_INF};
    for (var i = 0u; i < ${perThread}u; i++) {
      let j = i * ${r}u + c0;
      let key = j0 + j;
      var x = ${NEG_INF};
      if (${a.keep}) {
        let kr = j * ${ks}u;
        ${dot}
        x = ((d0 + d1) + (d2 + d3))${a.maskTerms};
      }
      s[i] = x;
      bm = nmax_(bm, x);
    }
    let mn = nmax_(m, bm);
    // keys all masked (−∞) so far change nothing (and exp(−∞ + ∞) is NaN)
    if (mn > ${NEG_INF}) {
      let f = exp(m - mn);
      l *= f;
      for (var e = 0u; e < ${dv}u; e++) { acc[e] *= f; }
      for (var i = 0u; i < ${perThread}u; i++) {
        let j = i * ${r}u + c0;
        if (j < jn) {
          let p = exp(s[i] - mn);
          l += p;
          let vr = ${vOff}u + j * ${vs}u;
          for (var e = 0u; e < ${dv}u; e++) { acc[e] += p * sh[vr + e]; }
        }
      }
      m = mn;
    }
  }
  // merge the row's R states: weights e^(m_r − M) from the (m, l) pairs, then the accumulators
  workgroupBarrier();
  sh[lid * 2u] = m;
  sh[lid * 2u + 1u] = l;
  workgroupBarrier();
  var top = ${NEG_INF};
  for (var i = 0u; i < ${r}u; i++) { top = nmax_(top, sh[(rl * ${r}u + i) * 2u]); }
  var total = 0.0;
  for (var i = 0u; i < ${r}u; i++) {
    let mi = sh[(rl * ${r}u + i) * 2u];
    total += select(0.0, exp(mi - top), mi > ${NEG_INF}) * sh[(rl * ${r}u + i) * 2u + 1u];
  }
  let ws = select(0.0, exp(m - top), m > ${NEG_INF});
  let live = q0 + rl < ${sq}u;
  let inv = ${f32Literal(layer.outScale)} / total;
  let base = offO(g) + row * ${a.os}u;
  ${rounds.join('\n  ')}
}
`;
  return { name: `attention-split${r}-q${bq}-k${bk}`, programs: [{ wgsl, bindings: b.bindings, workgroups: grid.workgroups }], constants: b.constants, scratch: [] };
}

/** The split-key candidates that fit the device (BQ capped near Sq: taller blocks only idle). */
export function splitKeyPrograms(layer: AttentionLayer, ctx: KernelContext, out: NetTensor): Tactic[] {
  const { sq, d, dv } = attentionDimsOf(layer);
  const cap = Math.max(8, Math.ceil(sq / 8) * 8);
  const tactics: Tactic[] = [];
  const seen = new Set<string>();
  for (const [bq0, bk, r] of SPLITS) {
    const bq = Math.min(bq0, cap);
    if (bq * r > ctx.caps.maxInvocationsPerWorkgroup || sharedFloats(bq, bk, r, d, dv) * 4 > ctx.caps.maxWorkgroupStorage) continue;
    const t = program(layer, ctx, out, bq, bk, r);
    if (!seen.has(t.name)) { seen.add(t.name); tactics.push(t); }
  }
  return tactics;
}
