// Flash attention on subgroup matrices (tensor cores) with Q, K and V read straight from device
// memory, and the keys of each query block split over several subgroups of the workgroup.
// attention-mma.ts stages every K and V block through workgroup memory one scalar at a time and
// gives a workgroup one run over all keys; on an H100 with Whisper-tiny's 6 heads × 1,500 rows
// that left most of the GPU idle and took 0.85 ms a layer against 0.25 ms for the unfused form.
// Here the matrix loads read the f16 tensors in place (Q once, Kᵀ column-major, V row-major),
// and S subgroups share a 16-row query block: subgroup s walks the s-th slice of the keys with
// its own online softmax (max m, sum l, f32 accumulator in registers); at the end the S states of
// a row merge through workgroup memory (O = Σ e^(m_s − M)·acc_s / Σ e^(m_s − M)·l_s).
// Per block of BK keys: S = Q·Kᵀ (f32) into the subgroup's staging; two lanes per row take half
// the keys each, share the block's max by a subgroup shuffle, write P = e^(s − m) as f16; then
// O_blk = P·V into a second staging, folded into the row's accumulator (acc ← α·acc + O_blk).
// The `-held` form keeps O in subgroup matrices instead (O ← P·V + O on the tensor cores) and
// scales it only when a row's max has grown by more than 8 since its reference was set (P ≤ e⁸
// meanwhile, well inside f16): then O goes out to workgroup memory, the lanes scale their rows
// and it comes back. Most blocks after the first few never need it.
// Ragged ends never read past a tensor: a 16-row or 16-key block that would run past the end is
// moved back to end at the last row or key, and what it repeats is masked (keys) or not stored (rows).
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import type { DeviceCaps } from '../../devices/webgpu/caps.js';
import { hasF16Mma } from '../../devices/webgpu/matmul-tile.js';
import { attentionDimsOf, type AttentionLayer } from '../layers/attention.js';
import type { NetTensor } from '../network.js';
import { f32Literal } from './access.js';
import { attentionAddressing, bindAttention, pairedRows, queryBlockEntry } from './attention-parts.js';
import { groupGrid, tensorOf } from './convert.js';
import type { KernelContext, Tactic } from './tactic.js';

const LANES = 32;
/** f16 elements per 16 bytes: matrix loads from device memory start on, and step by, whole 16-byte units. */
const ALIGN = 8;

/** Row blocks of 16 per workgroup × subgroups splitting a row block's keys × keys per step: the candidates. */
const SHAPES: readonly [number, number, number][] = [[1, 4, 64], [1, 4, 32], [1, 2, 64], [2, 2, 32], [1, 8, 32]];
/** How far (natural log) a row's max may pass the reference P is taken against before O is rescaled. */
const HEADROOM = 8;

interface Shape { rows: number; splits: number; bk: number; held: boolean }

/**
 * f32 rows of the score and output staging padded by 4 (16 bytes, as matrix stores need): a
 * multiple of 32 would put a whole column in one bank, so that the 32 lanes, reading their rows'
 * values in step, would wait 32-fold on each other.
 */
const pad32 = (n: number) => n + 4;

/** Workgroup memory in bytes: per subgroup the f32 score and output staging and the f16 P rows (padded). */
function sharedBytes(s: Shape, dv: number): number {
  const sub = s.rows * s.splits;
  return sub * 16 * (pad32(s.bk) * 4 + pad32(dv) * 4 + (s.bk + 8) * 2);
}

/** Why the layer gets no direct subgroup-matrix attention on this device, or undefined. */
export function directMmaUnfit(layer: AttentionLayer, ctx: KernelContext): string | undefined {
  const { sq, d, sk, dv } = attentionDimsOf(layer);
  if (layer.precision === 'fp32') return 'an fp32 layer';
  if (!hasF16Mma(ctx.caps) || ctx.caps.subgroupSize !== LANES) return 'no 16×16×16 f16 subgroup matrices on 32-lane subgroups';
  if (d % 16 !== 0 || dv % 16 !== 0 || d > 256 || dv > 256) return `head sizes ${d}, ${dv} are not multiples of 16 up to 256`;
  if (sq < 16 || sk < 16) return `${sq} queries or ${sk} keys: fewer than one 16-row block`;
  for (const v of [layer.q, layer.kt, layer.v]) {
    if (tensorOf(ctx, v.tensor, layer.name).format.storage !== 'f16') return `${v.tensor} is not stored in f16`;
  }
  const r = layer.q.shape.length - 2;
  const [qs, qd] = layer.q.strides.slice(r) as [number, number];
  const [kd, kk] = layer.kt.strides.slice(r) as [number, number];
  const [vk, ve] = layer.v.strides.slice(r) as [number, number];
  if (qd !== 1 || kd !== 1 || ve !== 1) return 'a Q, K or V row is not contiguous';
  const steps = [qs, kk, vk, ...[layer.q, layer.kt, layer.v].flatMap((v) => v.strides.slice(0, r))];
  if (steps.some((x) => x % ALIGN !== 0)) return 'Q, K or V rows do not start on 16-byte boundaries';
  return undefined;
}

function program(layer: AttentionLayer, ctx: KernelContext, out: NetTensor, s: Shape): Tactic {
  const { batch, sq, d, sk, dv } = attentionDimsOf(layer);
  const { rows, splits, bk, held } = s;
  const b = bindAttention(layer, ctx, out);
  const a = attentionAddressing(layer, b);
  const arr = (v: AttentionLayer['q']) => b.load(v).replace(/^load_/, '');
  const [tq, tk, tv] = [arr(layer.q), arr(layer.kt), arr(layer.v)];
  const bq = 16 * rows;
  const sub = rows * splits;
  const threads = sub * LANES;
  const qBlocks = Math.ceil(sq / bq);
  const groups = batch.reduce((x, y) => x * y, 1) * qBlocks;
  const grid = groupGrid(groups, ctx.caps);
  const half = dv / 2;
  const keysPerLane = bk / 2;
  const sp = bk + 8;
  const ss = pad32(bk);
  const so = pad32(dv);
  const se = layer.outStrides[layer.outStrides.length - 1]!;
  const rq = (n: number) => Array.from({ length: n }, (_, i) => i);
  const causal = layer.causalOffset === undefined ? '' : ` && i32(key) <= i32(row) + ${layer.causalOffset}`;
  const matrix = (kind: 'left' | 'right', major: 'row_major' | 'col_major', src: string, off: string, stride: string) =>
    `subgroupMatrixLoad<subgroup_matrix_${kind}<f16, 16, 16>, ${major}>(&${src}, ${off}, ${stride})`;
  const qLeft = rq(d / 16).map((c) => `  let ql${c} = ${matrix('left', 'row_major', tq, `qBase + ${c * 16}u`, `${a.qs}u`)};`).join('\n');
  const scores = rq(bk / 16).map((i) => `    {
      let kb = min(j0 + ${i * 16}u, ${sk - 16}u);
      var sc = subgroup_matrix_result<f32, 16, 16>();
${rq(d / 16).map((c) => `      sc = subgroupMatrixMultiplyAccumulate(ql${c}, ${matrix('right', 'col_major', tk, `kBase + kb * ${a.kk}u + ${c * 16}u`, `${a.kk}u`)}, sc);`).join('\n')}
      subgroupMatrixStore<row_major>(&SS, sOff + ${i * 16}u, sc, ${ss}u);
    }`).join('\n');
  const pv = (e: number, o: string) => rq(bk / 16).map((i) => `      ${o} = subgroupMatrixMultiplyAccumulate(${matrix('left', 'row_major', 'PS', `pOff + ${i * 16}u`, `${sp}u`)}, ${matrix('right', 'row_major', tv, `vBase + min(j0 + ${i * 16}u, ${sk - 16}u) * ${a.vk}u + ${e * 16}u`, `${a.vk}u`)}, ${o});`).join('\n');
  // output tile e (16 columns) of the subgroup's staging, and all of them
  const storeTile = (e: number, o: string) => `subgroupMatrixStore<row_major>(&OS, oOff + ${e * 16}u, ${o}, ${so}u);`;
  const storeO = (o: (e: number) => string) => rq(dv / 16).map((e) => storeTile(e, o(e))).join(' ');
  const values = held
    ? rq(dv / 16).map((e) => pv(e, `o${e}`)).join('\n')
    : rq(dv / 16).map((e) => `    {
      var ob = subgroup_matrix_result<f32, 16, 16>();
${pv(e, 'ob')}
      ${storeTile(e, 'ob')}
    }`).join('\n');
  const rowOS = `OS[oOff + r * ${so}u + h * ${half}u + e]`;
  // the held form scales in place: each lane walks its columns from its own start, so that in each
  // step the lanes touch different banks (rows 4 banks apart, offsets (r / 8) + 2h)
  const rowOSTurned = `OS[oOff + r * ${so}u + h * ${half}u + (e + turn) % ${half}u]`;
  // P = e^(s − ref) as f16 in the subgroup's P rows (masked scores −∞ give 0), and this lane's sum ls
  const writeP = (ref: string) => `    var ls = 0.0;
    for (var t = 0u; t < ${keysPerLane}u; t++) {
      let p = select(0.0, exp(x[t] - ${ref}), live && x[t] > ${NEG_INF});
      ls += p;
      PS[pOff + r * ${sp}u + h * ${keysPerLane}u + (t + turn) % ${keysPerLane}u] = f16(p);
    }`;
  const fold = held
    ? `    let bmRow = nmax_(bm, subgroupShuffleXor(bm, 1u));
    // the reference moves only when the row's max passes it by more than ${HEADROOM}
    let need = bmRow > m + ${HEADROOM}.0;
    let anyNeed = subgroupAny(need);
    let mr = select(m, bmRow, need);
    let alpha = select(1.0, exp(m - mr), need);
    let live = mr > ${NEG_INF};
${writeP('mr')}
    l = l * alpha + ls;
    m = mr;
    if (anyNeed) { ${storeO((e) => `o${e}`)} }
    workgroupBarrier();
    if (anyNeed) { for (var e = 0u; e < ${half}u; e++) { ${rowOSTurned} *= alpha; } }
    workgroupBarrier();
    if (anyNeed) { ${rq(dv / 16).map((e) => `o${e} = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(&OS, oOff + ${e * 16}u, ${so}u);`).join(' ')} }
${values}`
    : `    let mn = nmax_(m, nmax_(bm, subgroupShuffleXor(bm, 1u)));
    // keys all masked (−∞) so far change nothing (and exp(−∞ + ∞) is NaN)
    let live = mn > ${NEG_INF};
    let alpha = select(1.0, exp(m - mn), live);
${writeP('mn')}
    l = l * alpha + ls;
    m = select(m, mn, live);
    workgroupBarrier();
${values}
    workgroupBarrier();
    for (var e = 0u; e < ${half}u; e++) { acc[e] = acc[e] * alpha + ${rowOS}; }`;
  const store = pairedRows(layer, out, dv)
    ? `store2_y(at, num * inv);`
    : `store_y(at, num.x * inv); store_y(at + ${se}u, num.y * inv);`;
  const wgsl = `diagnostic(off, chromium.subgroup_matrix_uniformity);
enable f16;
enable subgroups;
enable chromium_experimental_subgroup_matrix;
${b.wgsl}${INFINITY}${NAN_MINMAX}${a.offsets}
var<workgroup> SS: array<f32, ${sub * 16 * ss}>;
var<workgroup> OS: array<f32, ${sub * 16 * so}>;
var<workgroup> PS: array<f16, ${sub * 16 * sp}>;

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
${queryBlockEntry(grid.group, groups, qBlocks, bq)}
  let sg = lid / ${LANES}u;
  let lane = lid % ${LANES}u;
  let rb = sg / ${splits}u;
  let split = sg % ${splits}u;
  let r = lane / 2u;
  let h = lane % 2u;
  // the row block, moved back to end at the last row when it would run past it
  let first = q0 + rb * 16u;
  let qb = min(first, ${sq - 16}u);
  let row = qb + r;
  let kEnd = ${a.keyEnd(bq)};
  let kBase = offK(g);
  let vBase = offV(g);
  let qBase = offQ(g) + qb * ${a.qs}u;
${qLeft}
  // this subgroup's slice of the keys: whole 16-key blocks; the same step count in every subgroup (barriers)
  let chunk = ((kEnd + ${splits - 1}u) / ${splits}u + 15u) / 16u * 16u;
  let kFrom = split * chunk;
  let kTo = min(kFrom + chunk, kEnd);
  let steps = (chunk + ${bk - 1}u) / ${bk}u;
  let sOff = sg * ${16 * ss}u;
  let oOff = sg * ${16 * so}u;
  // where this lane starts its walk over its keys (and columns): lanes in step read different banks
  let turn = r / 8u + 2u * h;
  let pOff = sg * ${16 * sp}u;
  ${held ? rq(dv / 16).map((e) => `var o${e} = subgroup_matrix_result<f32, 16, 16>();`).join(' ') : `var acc: array<f32, ${half}>;
  for (var e = 0u; e < ${half}u; e++) { acc[e] = 0.0; }`}
  var m = ${NEG_INF};
  var l = 0.0;
  for (var step = 0u; step < steps; step++) {
    let j0 = kFrom + step * ${bk}u;
${scores}
    workgroupBarrier();
    var x: array<f32, ${keysPerLane}>;
    var bm = ${NEG_INF};
    for (var t = 0u; t < ${keysPerLane}u; t++) {
      let j = h * ${keysPerLane}u + (t + turn) % ${keysPerLane}u;
      let kb = j0 + (j / 16u) * 16u;
      // a block moved back repeats keys before kb: those count once, in their own block
      let key = min(kb, ${sk - 16}u) + j % 16u;
      var v = ${NEG_INF};
      if (key >= kb && key < kTo${causal}) { v = SS[sOff + r * ${ss}u + j] * ${f32Literal(layer.scale)}${a.maskTerms}; }
      x[t] = v;
      bm = nmax_(bm, v);
    }
${fold}
  }
  // merge the row block's ${splits} states: each subgroup publishes (m, l) and its accumulators ...
  let lRow = l + subgroupShuffleXor(l, 1u);
  workgroupBarrier();
  ${held ? storeO((e) => `o${e}`) : `for (var e = 0u; e < ${half}u; e++) { ${rowOS} = acc[e]; }`}
  if (h == 0u) { SS[sOff + 2u * r] = m; SS[sOff + 2u * r + 1u] = lRow; }
  workgroupBarrier();
  // ... and the block's ${splits * LANES} lanes store its rows, a column pair each
  let sg0 = rb * ${splits}u;
  for (var t = split * ${LANES}u + lane; t < ${16 * half}u; t += ${splits * LANES}u) {
    let rr = t / ${half}u;
    let col = (t % ${half}u) * 2u;
    var mx = ${NEG_INF};
    for (var k = 0u; k < ${splits}u; k++) { mx = nmax_(mx, SS[(sg0 + k) * ${16 * ss}u + 2u * rr]); }
    var num = vec2<f32>(0.0);
    var den = 0.0;
    for (var k = 0u; k < ${splits}u; k++) {
      let mk = SS[(sg0 + k) * ${16 * ss}u + 2u * rr];
      let w = select(0.0, exp(mk - mx), mk > ${NEG_INF});
      den += w * SS[(sg0 + k) * ${16 * ss}u + 2u * rr + 1u];
      let o = (sg0 + k) * ${16 * so}u + rr * ${so}u + col;
      num += w * vec2<f32>(OS[o], OS[o + 1u]);
    }
    let orow = qb + rr;
    if (orow >= first) {
      let inv = ${f32Literal(layer.outScale)} / den;
      let at = offO(g) + orow * ${a.os}u + col * ${se}u;
      ${store}
    }
  }
}
`;
  return { name: `attention-mmad-q${bq}-s${splits}-k${bk}${held ? '-held' : ''}`, programs: [{ wgsl, bindings: b.bindings, workgroups: grid.workgroups }], constants: b.constants, scratch: [] };
}

/** The direct subgroup-matrix attention candidates for the layer on this device (none where unfit). */
export function directMmaAttentionPrograms(layer: AttentionLayer, ctx: KernelContext, out: NetTensor): Tactic[] {
  if (directMmaUnfit(layer, ctx)) return [];
  const { dv } = attentionDimsOf(layer);
  // the held form only where it ran best on an H100: the widest split and block (long sequences)
  return SHAPES.flatMap(([rows, splits, bk], i) => (i === 0 ? [false, true] : [false]).map((held) => ({ rows, splits, bk, held })))
    .filter((s) => fits(s, dv, ctx.caps))
    .map((s) => program(layer, ctx, out, s));
}

function fits(s: Shape, dv: number, caps: DeviceCaps): boolean {
  return sharedBytes(s, dv) <= caps.maxWorkgroupStorage && s.rows * s.splits * LANES <= caps.maxInvocationsPerWorkgroup;
}
