// The attention kernel on subgroup matrices (tensor cores): flash attention as attention.ts does
// it (online softmax over key blocks staged in workgroup memory; the Sq×Sk scores never reach
// device memory), with both matrix products as 16×16×16 f16 × f16 → f32 subgroup-matrix products.
// A workgroup owns BQ = 16·S query rows of one batch entry, S subgroups of 32 lanes, 16 rows each.
// Its Q rows (scaled, f16) are staged once and each subgroup keeps its D/16 left matrices. Per
// block of BK keys: S = Q·Kᵀ into f32 staging; two lanes per row take half the keys each, share
// the block's max through workgroup memory, fold it into the row's running max m (the factor
// α = e^(m_old − m_new)), write P = e^(s − m) as f16 and keep their own partial sums; then O_blk =
// P·V into the same f32 staging, which the two lanes fold into their halves of the row's f32
// accumulator (acc ← α·acc + O_blk). Subgroup matrices cannot be scaled elementwise, hence the
// accumulator in registers. Offered for fp16 layers on devices with 32-lane subgroups and
// 16×16×16 f16 matrices, for head sizes that are multiples of 16.
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import type { DeviceCaps } from '../../devices/webgpu/caps.js';
import { hasF16Mma } from '../../devices/webgpu/matmul-tile.js';
import { attentionDimsOf, type AttentionLayer } from '../layers/attention.js';
import type { NetTensor } from '../network.js';
import { f32Literal } from './access.js';
import { attentionAddressing, bindAttention, pairedRows, queryBlockEntry, rowState } from './attention-parts.js';
import { groupGrid, tensorOf } from './convert.js';
import type { KernelContext, Tactic } from './tactic.js';

const LANES = 32;
/**
 * Subgroups per workgroup (16 query rows each) × keys per block: the candidates offered. Small
 * workgroups for few heads over long sequences (Whisper: 6 heads × 1,500 rows make 141 workgroups
 * of 64 rows, about one per SM of a large GPU).
 */
const BLOCKS: readonly [number, number][] = [[4, 64], [4, 32], [2, 64], [1, 64], [1, 32]];

interface Sizes { sq: number; d: number; dv: number; bq: number; bk: number; sgs: number; sqs: number; sks: number; svs: number; sps: number; w: number }

function sizes(sq: number, d: number, dv: number, sgs: number, bk: number): Sizes {
  const bq = 16 * sgs;
  // f16 rows padded by 8 halves (16 bytes) against bank conflicts; the f32 staging is per subgroup, 16 rows of W
  return { sq, d, dv, bq, bk, sgs, sqs: d + 8, sks: bk + 8, svs: dv + 8, sps: bk + 8, w: Math.max(bk, dv) };
}

/** Workgroup memory in bytes: Q then K (one f16 array), V, P (f16), the f32 staging, the lanes' exchange. */
function sharedBytes(s: Sizes): number {
  const qk = Math.max(s.bq * s.sqs, s.d * s.sks);
  return (qk + s.bk * s.svs + s.sgs * 16 * s.sps) * 2 + (s.sgs * 16 * s.w + s.sgs * LANES) * 4;
}

/** Why the layer gets no subgroup-matrix attention on this device, or undefined. */
function unfit(layer: AttentionLayer, ctx: KernelContext): string | undefined {
  const { d, dv } = attentionDimsOf(layer);
  if (layer.precision === 'fp32') return 'an fp32 layer';
  if (!hasF16Mma(ctx.caps) || ctx.caps.subgroupSize !== LANES) return 'no 16×16×16 f16 subgroup matrices on 32-lane subgroups';
  if (d % 16 !== 0 || dv % 16 !== 0 || d > 256 || dv > 256) return `head sizes ${d}, ${dv} are not multiples of 16 up to 256`;
  if (tensorOf(ctx, layer.q.tensor, layer.name).format.storage !== 'f16') return 'Q is not stored in f16';
  return undefined;
}

function program(layer: AttentionLayer, ctx: KernelContext, out: NetTensor, s: Sizes): Tactic {
  const { batch, sk } = attentionDimsOf(layer);
  const { sq, d, dv, bq, bk, sgs, sqs, sks, svs, sps, w } = s;
  const b = bindAttention(layer, ctx, out);
  const a = attentionAddressing(layer, b);
  const qBlocks = Math.ceil(sq / bq);
  const groups = batch.reduce((x, y) => x * y, 1) * qBlocks;
  const grid = groupGrid(groups, ctx.caps);
  const threads = sgs * LANES;
  const half = dv / 2;
  const keysPerLane = bk / 2;
  const se = layer.outStrides[layer.outStrides.length - 1]!;
  const rq = (n: number) => Array.from({ length: n }, (_, i) => i);
  const left = (arr: string, off: string, stride: number) => `subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&${arr}, ${off}, ${stride}u)`;
  const right = (arr: string, off: string, stride: number) => `subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(&${arr}, ${off}, ${stride}u)`;
  const qLeft = rq(d / 16).map((c) => `  let ql${c} = ${left('QK', `sg * ${16 * sqs}u + ${c * 16}u`, sqs)};`).join('\n');
  const scores = rq(bk / 16).map((j) => `    {
      var sc = subgroup_matrix_result<f32, 16, 16>();
${rq(d / 16).map((c) => `      sc = subgroupMatrixMultiplyAccumulate(ql${c}, ${right('QK', `${c * 16 * sks + j * 16}u`, sks)}, sc);`).join('\n')}
      subgroupMatrixStore<row_major>(&SO, sg * ${16 * w}u + ${j * 16}u, sc, ${w}u);
    }`).join('\n');
  const values = rq(dv / 16).map((e) => `    {
      var ob = subgroup_matrix_result<f32, 16, 16>();
${rq(bk / 16).map((j) => `      ob = subgroupMatrixMultiplyAccumulate(${left('PS', `sg * ${16 * sps}u + ${j * 16}u`, sps)}, ${right('VS', `${j * 16 * svs + e * 16}u`, svs)}, ob);`).join('\n')}
      subgroupMatrixStore<row_major>(&SO, sg * ${16 * w}u + ${e * 16}u, ob, ${w}u);
    }`).join('\n');
  // Kᵀ staged as [c][key]; read key by key where a key's D values are contiguous (K row-major), else column by column
  const kStage = a.kd === 1
    ? `let c = t % ${d}u; let jj = t / ${d}u; QK[c * ${sks}u + jj] = f16(${b.load(layer.kt)}(kBase + c + min(j0 + jj, ${sk - 1}u) * ${a.kk}u));`
    : `let c = t / ${bk}u; let jj = t % ${bk}u; QK[c * ${sks}u + jj] = f16(${b.load(layer.kt)}(kBase + c * ${a.kd}u + min(j0 + jj, ${sk - 1}u) * ${a.kk}u));`;
  const store = pairedRows(layer, out, dv)
    ? `for (var e = 0u; e < ${half}u; e += 2u) { store2_y(base + h * ${half}u + e, vec2<f32>(acc[e], acc[e + 1u]) * inv); }`
    : `for (var e = 0u; e < ${half}u; e++) { store_y(base + (h * ${half}u + e) * ${se}u, acc[e] * inv); }`;
  const wgsl = `diagnostic(off, chromium.subgroup_matrix_uniformity);
enable f16;
enable chromium_experimental_subgroup_matrix;
${b.wgsl}${INFINITY}${NAN_MINMAX}${a.offsets}
var<workgroup> QK: array<f16, ${Math.max(bq * sqs, d * sks)}>;
var<workgroup> VS: array<f16, ${bk * svs}>;
var<workgroup> PS: array<f16, ${sgs * 16 * sps}>;
var<workgroup> SO: array<f32, ${sgs * 16 * w}>;
var<workgroup> XS: array<f32, ${threads}>;

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
${queryBlockEntry(grid.group, groups, qBlocks, bq)}
  let sg = lid / ${LANES}u;
  let lane = lid % ${LANES}u;
  let r = lane / 2u;
  let h = lane % 2u;
  let row = min(q0 + sg * 16u + r, ${sq - 1}u);
  // the workgroup's Q rows, scaled, as f16
  let qBase = offQ(g);
  for (var t = lid; t < ${bq * d}u; t += ${threads}u) {
    let qr = min(q0 + t / ${d}u, ${sq - 1}u);
    QK[(t / ${d}u) * ${sqs}u + t % ${d}u] = f16(${b.load(layer.q)}(qBase + qr * ${a.qs}u + (t % ${d}u) * ${a.qd}u) * ${f32Literal(layer.scale)});
  }
  workgroupBarrier();
${qLeft}
${rowState(a, half, bq)}
  for (var j0 = 0u; j0 < kEnd; j0 += ${bk}u) {
    workgroupBarrier();
    for (var t = lid; t < ${d * bk}u; t += ${threads}u) {
      ${kStage}
    }
    for (var t = lid; t < ${bk * dv}u; t += ${threads}u) {
      let key = min(j0 + t / ${dv}u, ${sk - 1}u);
      VS[(t / ${dv}u) * ${svs}u + t % ${dv}u] = f16(${b.load(layer.v)}(vBase + key * ${a.vk}u + (t % ${dv}u) * ${a.ve}u));
    }
    workgroupBarrier();
${scores}
    workgroupBarrier();
    // the row's scores: this lane's half of the block's keys, masked
    let jn = min(${bk}u, kEnd - j0);
    var x: array<f32, ${keysPerLane}>;
    var bm = ${NEG_INF};
    for (var i = 0u; i < ${keysPerLane}u; i++) {
      let j = h * ${keysPerLane}u + i;
      let key = j0 + j;
      var v = ${NEG_INF};
      if (${a.keep}) { v = SO[sg * ${16 * w}u + r * ${w}u + j]${a.maskTerms}; }
      x[i] = v;
      bm = nmax_(bm, v);
    }
    XS[lid] = bm;
    workgroupBarrier();
    let mn = nmax_(m, nmax_(bm, XS[lid ^ 1u]));
    // keys all masked (−∞) so far change nothing (and exp(−∞ + ∞) is NaN)
    let live = mn > ${NEG_INF};
    let alpha = select(1.0, exp(m - mn), live);
    var ls = 0.0;
    for (var i = 0u; i < ${keysPerLane}u; i++) {
      let p = select(0.0, exp(x[i] - mn), live && x[i] > ${NEG_INF});
      ls += p;
      PS[sg * ${16 * sps}u + r * ${sps}u + h * ${keysPerLane}u + i] = f16(p);
    }
    l = l * alpha + ls;
    m = select(m, mn, live);
    workgroupBarrier();
${values}
    workgroupBarrier();
    for (var e = 0u; e < ${half}u; e++) { acc[e] = acc[e] * alpha + SO[sg * ${16 * w}u + r * ${w}u + h * ${half}u + e]; }
  }
  // the row's sum: this lane's part and its partner's
  workgroupBarrier();
  XS[lid] = l;
  workgroupBarrier();
  let total = l + XS[lid ^ 1u];
  if (q0 + sg * 16u + r < ${sq}u) {
    let inv = ${f32Literal(layer.outScale)} / total;
    let base = offO(g) + row * ${a.os}u;
    ${store}
  }
}
`;
  return { name: `attention-mma-q${bq}-k${bk}`, programs: [{ wgsl, bindings: b.bindings, workgroups: grid.workgroups }], constants: b.constants, scratch: [] };
}

/** The subgroup-matrix attention candidates for the layer on this device (none where unfit). */
export function mmaAttentionPrograms(layer: AttentionLayer, ctx: KernelContext, out: NetTensor): Tactic[] {
  if (unfit(layer, ctx)) return [];
  const { sq, d, dv } = attentionDimsOf(layer);
  return BLOCKS.map(([sgs, bk]) => sizes(sq, d, dv, sgs, bk))
    .filter((s) => fits(s, ctx.caps))
    .map((s) => program(layer, ctx, out, s));
}

function fits(s: Sizes, caps: DeviceCaps): boolean {
  return sharedBytes(s) <= caps.maxWorkgroupStorage && s.sgs * LANES <= caps.maxInvocationsPerWorkgroup;
}
