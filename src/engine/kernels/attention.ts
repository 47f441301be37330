// Flash-attention kernel of the attention layer: a workgroup owns BQ query rows of one batch
// entry (one invocation per row, its scaled Q row and f32 output accumulator in registers) and
// walks the keys in blocks of BK: the block's K and V rows go through workgroup memory, each
// invocation scores its row against them and folds the block into a running max m and sum l
// (online softmax: when the max grows by δ, l and the accumulator shrink by exp(−δ)). O = acc/l is
// written once; the Sq×Sk scores never exist. Every operand is read through its view's strides in
// any storage (access.ts loaders), so transposed K, split heads and grouped kv heads need no copies.
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import { stridesOf } from '../../tensor/shape.js';
import { attentionDimsOf, tensorMasks, type AttentionLayer } from '../layers/attention.js';
import type { TensorView } from '../layers/tensor-view.js';
import type { NetTensor } from '../network.js';
import { declareConstant, declareTensor, encodeStorage, f32Literal, loaders, storers } from './access.js';
import { groupGrid, KernelReason, layoutStrides, sameOrder, tacticsOrReason, tensorOf } from './convert.js';
import type { EngineBinding, KernelContext, LayerCompiler, Tactic } from './tactic.js';

/** Query rows per workgroup × keys per block: the timed candidates, in order of preference. */
const BLOCKS: readonly [number, number][] = [[64, 32], [32, 64], [128, 16]];

/** WGSL `fn <name>(g: u32) -> u32`: the element offset of batch entry g (flat over `batch`) in a view. */
function batchOffset(name: string, batch: readonly number[], strides: readonly number[]): string {
  const flat = stridesOf(batch);
  const terms = batch.flatMap((d, i) => (d === 1 || strides[i] === 0 ? [] : [`((g / ${flat[i]}u) % ${d}u) * ${strides[i]}u`]));
  return `fn ${name}(g: u32) -> u32 { return ${terms.length ? terms.join(' + ') : '0u'}; }\n`;
}

interface Bound {
  /** WGSL names of the loaders of each distinct input tensor. */
  names: Map<string, string>;
  bindings: EngineBinding[];
  wgsl: string;
  /** The constant masks' values, bound as constants c0, c1, ... */
  constants: Uint8Array[];
}

/** Binds the output (binding 0) and each distinct input tensor once (a dispatch cannot bind one twice). */
function bind(layer: AttentionLayer, ctx: KernelContext, out: NetTensor): Bound {
  const names = new Map<string, string>();
  const constants: Uint8Array[] = [];
  const bindings: EngineBinding[] = [{ tensor: out.name }];
  let wgsl = declareTensor(0, 'y', out.format.storage) + storers('y', out.format.storage);
  for (const v of [layer.q, layer.kt, layer.v, ...tensorMasks(layer).map((m) => m.view)]) {
    if (names.has(v.tensor)) continue;
    const t = tensorOf(ctx, v.tensor, layer.name);
    if (!sameOrder(t.shape, layoutStrides(t), stridesOf(t.shape))) throw new KernelReason(`attention ${layer.name}: ${t.name} is not row-major (layout ${t.format.layout})`);
    const name = `t${names.size}`;
    names.set(v.tensor, name);
    wgsl += declareTensor(bindings.length, name, t.format.storage) + loaders(name, t.format.storage);
    bindings.push({ tensor: v.tensor });
  }
  let constant = 0;
  for (const m of layer.masks) {
    if (!m.constant) continue;
    wgsl += declareConstant(bindings.length, `c${constant}`, 'f32');
    bindings.push({ constant });
    constants.push(encodeStorage(m.constant, 'f32'));
    constant++;
  }
  return { names, bindings, wgsl, constants };
}

/** The output statements for row i (`base` its first element): pairs where the layout allows. */
function storeRow(layer: AttentionLayer, out: NetTensor, dv: number): string {
  const r = layer.outStrides.length;
  const se = layer.outStrides[r - 1]!;
  const pairs = se === 1 && dv % 2 === 0 && layer.outStrides.slice(0, r - 1).every((s) => s % 2 === 0);
  if (pairs) return `for (var e = 0u; e < ${dv}u; e += 2u) { store2_y(base + e, vec2<f32>(acc[e], acc[e + 1u]) * inv); }`;
  if (out.format.storage === 'f16x2') throw new KernelReason(`attention ${layer.name}: output rows cannot be written as packed f16 pairs`);
  return `for (var e = 0u; e < ${dv}u; e++) { store_y(base + e * ${se}u, acc[e] * inv); }`;
}

function program(layer: AttentionLayer, ctx: KernelContext, out: NetTensor, bq: number, bk: number): Tactic {
  const { batch, sq, d, sk, dv } = attentionDimsOf(layer);
  const b = bind(layer, ctx, out);
  const r = batch.length;
  const ld = (v: TensorView) => `load_${b.names.get(v.tensor)}`;
  const qBlocks = Math.ceil(sq / bq);
  const groups = batch.reduce((a, x) => a * x, 1) * qBlocks;
  const grid = groupGrid(groups, ctx.caps);
  const [qs, qd] = layer.q.strides.slice(r) as [number, number];
  const [kd, kk] = layer.kt.strides.slice(r) as [number, number];
  const [vk, ve] = layer.v.strides.slice(r) as [number, number];
  const os = layer.outStrides[r]!;
  const views = [['offQ', layer.q.strides], ['offK', layer.kt.strides], ['offV', layer.v.strides], ['offO', layer.outStrides]] as const;
  let offsets = views.map(([n, s]) => batchOffset(n, batch, s.slice(0, r))).join('');
  let maskTerms = '';
  let constant = 0;
  layer.masks.forEach((m, k) => {
    offsets += batchOffset(`offM${k}`, batch, m.view.strides.slice(0, r));
    const [mi, mj] = m.view.strides.slice(r) as [number, number];
    const factor = m.factor === 1 ? '' : ` * ${f32Literal(m.factor)}`;
    const at = `offM${k}(g) + row * ${mi}u + key * ${mj}u`;
    maskTerms += ` + ${m.constant ? `c${constant++}[${at}]` : `${ld(m.view)}(${at})`}${factor}`;
  });
  const causal = layer.causalOffset;
  const kEnd = causal === undefined ? `${sk}u` : `u32(clamp(i32(min(q0 + ${bq - 1}u, ${sq - 1}u)) + ${causal + 1}, 0, ${sk}))`;
  const keep = causal === undefined ? 'j < jn' : `j < jn && i32(key) <= i32(row) + ${causal}`;
  const wgsl = `${b.wgsl}${INFINITY}${NAN_MINMAX}${offsets}
var<workgroup> kb: array<f32, ${bk * d}>;
var<workgroup> vb: array<f32, ${bk * dv}>;

@compute @workgroup_size(${bq})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let unit = ${grid.group};
  if (unit >= ${groups}u) { return; }
  let g = unit / ${qBlocks}u;
  let q0 = (unit % ${qBlocks}u) * ${bq}u;
  let row = min(q0 + lid, ${sq - 1}u);
  var q: array<f32, ${d}>;
  let qBase = offQ(g) + row * ${qs}u;
  for (var c = 0u; c < ${d}u; c++) { q[c] = ${ld(layer.q)}(qBase + c * ${qd}u) * ${f32Literal(layer.scale)}; }
  var acc: array<f32, ${dv}>;
  for (var e = 0u; e < ${dv}u; e++) { acc[e] = 0.0; }
  var m = ${NEG_INF};
  var l = 0.0;
  let kEnd = ${kEnd};
  let kBase = offK(g);
  let vBase = offV(g);
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
    return tactics;
  });
