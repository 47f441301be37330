// Attention as two matrix products with a softmax between them: the unfused form, which TensorRT
// also times against its fused kernels. S = scale·Q·Kᵀ goes through the engine's tile loop into
// scratch; P = softmax(S + masks) is computed in place there, a workgroup per row with f32
// statistics (a row that fits the lanes' registers is read once); O = outScale·P·V goes through
// the tile loop again (also split over the keys, for long rows over few output tiles), stored
// through the output's strides. The Sq×Sk scores cost scratch memory and two passes over it, but both products run on
// the tuned GEMM tiles (tensor cores where offered) over every head at once, while a flash kernel
// gives one workgroup to 16–64 query rows of one head and leaves most of a large GPU idle at
// batch 1. On an H100 this form took a Whisper-tiny encoder pass from 4.15 to 1.87 ms and ViT-B/16
// from 2.34 to 1.88 ms. The builder times both forms, layer by layer.
import { INFINITY, NAN_MINMAX, NEG_INF } from '../../wgsl/math.js';
import { bindingLimit } from '../../devices/webgpu/weight-blocks.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { attentionDimsOf, type AttentionLayer } from '../layers/attention.js';
import type { TensorView } from '../layers/tensor-view.js';
import type { NetTensor, Storage } from '../network.js';
import { declareConstant, declareTensor, encodeStorage, f32Literal, loaders, storers } from './access.js';
import { attentionAddressing, pairedRows, type AttentionBinding } from './attention-parts.js';
import { KernelReason, groupGrid, tensorOf } from './convert.js';
import { epilogue, operandA, operandB, type OperandView } from './matmul.js';
import { tileName, tiledMatmul, type PartBuilder, type TileConfig } from './matmul-tile.js';
import { matmulChoices } from './matrix/choices.js';
import { workgroupReducer } from './row-reduce.js';
import type { EngineBinding, EngineProgram, KernelContext, Tactic } from './tactic.js';

/** Tile pairings offered per kind of tile (each is timed as a whole: two products and the softmax). */
const PAIRS = 2;

const tileKind = (t: TileConfig) => (t.mma ? 'mma' : t.half ? 'half' : 'f32');

/** The products' tile choices paired by rank within each kind of tile, PAIRS of each kind. */
function pairings(c1: TileConfig[], c2: TileConfig[]): [TileConfig, TileConfig][] {
  const out: [TileConfig, TileConfig][] = [];
  for (const kind of ['mma', 'half', 'f32']) {
    const a = c1.filter((t) => tileKind(t) === kind);
    const b = c2.filter((t) => tileKind(t) === kind);
    for (let i = 0; i < Math.min(PAIRS, Math.max(a.length, b.length)) && a.length && b.length; i++) {
      out.push([a[Math.min(i, a.length - 1)]!, b[Math.min(i, b.length - 1)]!]);
    }
  }
  return out;
}

/** The operand a view reads, in the tile loop's terms (views index row-major tensors). */
function operandOf(ctx: KernelContext, v: TensorView, layer: string): OperandView {
  return { tensor: tensorOf(ctx, v.tensor, layer), shape: [...v.shape], strides: [...v.strides] };
}

/** Bindings of the scores' stand-in tensor become scratch region 0. */
function toScratch(programs: EngineProgram[], scores: string): EngineProgram[] {
  return programs.map((p) => ({ ...p, bindings: p.bindings.map((b) => ('tensor' in b && b.tensor === scores ? { scratch: 0 } : b)) }));
}

/** The softmax's bindings: the scores (binding 0), each tensor mask once, the constant masks c0, c1, ... */
function bindMasks(layer: AttentionLayer, ctx: KernelContext, storage: Storage): AttentionBinding {
  const names = new Map<string, string>();
  const bindings: EngineBinding[] = [{ scratch: 0 }];
  const constants: Uint8Array[] = [];
  let wgsl = declareTensor(0, 's', storage) + loaders('s', storage) + storers('s', storage);
  for (const m of layer.masks) {
    if (m.constant) {
      wgsl += declareConstant(bindings.length, `c${constants.length}`, 'f32');
      bindings.push({ constant: constants.length });
      constants.push(encodeStorage(m.constant, 'f32'));
    } else if (!names.has(m.view.tensor)) {
      const t = tensorOf(ctx, m.view.tensor, layer.name);
      const name = `t${names.size}`;
      names.set(m.view.tensor, name);
      wgsl += declareTensor(bindings.length, name, t.format.storage) + loaders(name, t.format.storage);
      bindings.push({ tensor: m.view.tensor });
    }
  }
  return { wgsl, bindings, constants, load: (v) => `load_${names.get(v.tensor)}` };
}

/** Most keys a lane holds in registers: a row of up to wg × this many keys is read from scratch once. */
const HELD_KEYS = 8;

/** Most keys a lane of the one-subgroup-per-row softmax holds. */
const SUBGROUP_KEYS = 64;

/**
 * P = softmax(S + masks) over each row of the scores, in place: one subgroup per row where the
 * device has subgroups of one size and the row fits its lanes' registers (max and sum are
 * subgroupMax/subgroupAdd: no workgroup memory, no barriers), else a workgroup per row.
 */
function softmaxProgram(layer: AttentionLayer, ctx: KernelContext, b: AttentionBinding, rows: number): EngineProgram {
  const { sq, sk } = attentionDimsOf(layer);
  const a = attentionAddressing(layer, b);
  const lanes = ctx.caps.subgroupSize;
  const held = lanes ? Math.ceil(sk / lanes) : Infinity;
  const causal = layer.causalOffset === undefined ? '' : `\n  if (i32(key) > i32(row) + ${layer.causalOffset}) { return ${NEG_INF}; }`;
  // the row of the scores this workgroup owns: its batch entry g, query row and first score
  const rowEntry = (group: string) => `  let unit = ${group};
  if (unit >= ${rows}u) { return; }
  let g = unit / ${sq}u;
  let row = unit % ${sq}u;
  let base = unit * ${sk}u;`;
  const score = `fn x_(g: u32, row: u32, key: u32, at: u32) -> f32 {${causal}
  return load_s(at)${a.maskTerms};
}`;
  if (lanes && held <= SUBGROUP_KEYS) {
    const grid = groupGrid(rows, ctx.caps);
    const each = (f: (t: number, key: string) => string) => Array.from({ length: held }, (_, t) => f(t, `lane + ${t * lanes}u`)).join('\n');
    const inside = (t: number, body: string) => ((t + 1) * lanes > sk ? `if (lane + ${t * lanes}u < ${sk}u) { ${body} }` : body);
    const wgsl = `enable subgroups;
${b.wgsl}${INFINITY}${NAN_MINMAX}${a.offsets}
${score}
@compute @workgroup_size(${lanes})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
${rowEntry(grid.group)}
  var m = ${NEG_INF};
${each((t, key) => `  var v${t} = ${NEG_INF}; ${inside(t, `v${t} = x_(g, row, ${key}, base + ${key});`)} m = nmax_(m, v${t});`)}
  let mx = subgroupMax(m);
  var sum = 0.0;
${each((t) => `  v${t} = exp(v${t} - mx); ${inside(t, `sum += v${t};`)}`)}
  let inv = 1.0 / subgroupAdd(sum);
${each((t, key) => `  ${inside(t, `store_s(base + ${key}, v${t} * inv);`)}`)}
}
`;
    return { wgsl, bindings: b.bindings, workgroups: grid.workgroups };
  }
  const wg = sk >= 512 ? 256 : 64;
  const grid = groupGrid(rows, ctx.caps);
  const per = Math.ceil(sk / wg);
  // a row that fits the lanes' registers is read once (max, sum and store from the held values);
  // a longer one is read three times, recomputing each score
  const body = per <= HELD_KEYS
    ? `  var v: array<f32, ${per}>;
  var m = ${NEG_INF};
${Array.from({ length: per }, (_, t) => `  { let key = lid + ${t * wg}u; v[${t}] = ${NEG_INF}; if (key < ${sk}u) { v[${t}] = x_(g, row, key, base + key); } m = nmax_(m, v[${t}]); }`).join('\n')}
  let mx = wg_max_(lid, m);
  var sum = 0.0;
${Array.from({ length: per }, (_, t) => `  v[${t}] = exp(v[${t}] - mx); sum += select(0.0, v[${t}], lid + ${t * wg}u < ${sk}u);`).join('\n')}
  let inv = 1.0 / wg_sum_(lid, sum);
${Array.from({ length: per }, (_, t) => `  if (lid + ${t * wg}u < ${sk}u) { store_s(base + lid + ${t * wg}u, v[${t}] * inv); }`).join('\n')}`
    : `  var m = ${NEG_INF};
  for (var key = lid; key < ${sk}u; key += ${wg}u) { m = nmax_(m, x_(g, row, key, base + key)); }
  let mx = wg_max_(lid, m);
  var sum = 0.0;
  for (var key = lid; key < ${sk}u; key += ${wg}u) { sum += exp(x_(g, row, key, base + key) - mx); }
  let inv = 1.0 / wg_sum_(lid, sum);
  for (var key = lid; key < ${sk}u; key += ${wg}u) { store_s(base + key, exp(x_(g, row, key, base + key) - mx) * inv); }`;
  const wgsl = `${b.wgsl}${INFINITY}${NAN_MINMAX}${a.offsets}
${workgroupReducer(wg, { max: (a, c) => `nmax_(${a}, ${c})`, sum: (a, c) => `${a} + ${c}` })}
${score}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
${rowEntry(grid.group)}
${body}
}
`;
  return { wgsl, bindings: b.bindings, workgroups: grid.workgroups };
}

/** The P·V epilogue: result element (grp, m, n) times outScale, stored through the output strides. */
function stridedStore(layer: AttentionLayer, out: NetTensor, b: AttentionBinding): PartBuilder {
  const { dv } = attentionDimsOf(layer);
  const paired = pairedRows(layer, out, dv);
  const r = layer.outStrides.length;
  const [os, se] = layer.outStrides.slice(r - 2) as [number, number];
  const offsets = attentionAddressing(layer, b).offsets;
  const scale = layer.outScale === 1 ? '' : ` * ${f32Literal(layer.outScale)}`;
  return (first) => {
    const s = out.format.storage;
    const at = `let i = offO(grp) + m * ${os}u + n * ${se}u;`;
    const wgsl = `${declareTensor(first, 'y', s)}${storers('y', s)}${offsets}
fn store2(m: u32, n: u32, acc: vec2<f32>) {
  ${at}
  let v = acc${scale};
  ${paired ? 'store2_y(i, v);' : `store_y(i, v.x); store_y(i + ${se}u, v.y);`}
}
${dv % 2 === 1 ? `fn store1(m: u32, n: u32, acc: f32) {\n  ${at}\n  store_y(i, acc${scale});\n}\n` : ''}`;
    return { wgsl, bindings: [{ tensor: out.name }] };
  };
}

/**
 * The unfused candidates for the layer: the two products' tile choices paired by rank within
 * each kind of tile (subgroup-matrix, half, f32). None when Q and Kᵀ are one tensor (a
 * dispatch cannot bind it twice) or the output rows cannot be stored.
 */
export function gemmAttentionPrograms(layer: AttentionLayer, ctx: KernelContext, out: NetTensor): Tactic[] {
  if (layer.q.tensor === layer.kt.tensor) return [];
  const { batch, sq, d, sk, dv } = attentionDimsOf(layer);
  const groups = elementCount(batch);
  const q = operandOf(ctx, layer.q, layer.name);
  const kt = operandOf(ctx, layer.kt, layer.name);
  const v = operandOf(ctx, layer.v, layer.name);
  const half = layer.precision !== 'fp32' && [q.tensor, kt.tensor, v.tensor, out].some((t) => t.format.storage === 'f16');
  // scores in f16 with shader-f16 (as an unfused fp16 network stores them), else f32
  const storage: Storage = half ? 'f16' : 'f32';
  const scores: NetTensor = { name: `${layer.name}#scores`, shape: [...batch, sq, sk], format: { layout: 'plain', storage } };
  const p: OperandView = { tensor: scores, shape: scores.shape, strides: stridesOf(scores.shape) };
  const masks = bindMasks(layer, ctx, storage);
  let store: PartBuilder;
  try {
    store = stridedStore(layer, out, masks);
  } catch (e) {
    if (e instanceof KernelReason) return [];
    throw e;
  }
  const A1 = operandA(q, batch);
  const first = { m: sq, n: sk, k: d, groups, a: A1.part, aQuads: A1.quads, ...operandB(kt, batch), epilogue: epilogue({ alpha: layer.scale, act: { kind: 'none' } }, scores, undefined, sk) };
  const A2 = operandA(p, batch);
  const second = { m: sq, n: dv, k: sk, groups, a: A2.part, aQuads: A2.quads, ...operandB(v, batch), epilogue: store };
  const opts = { tiles: 3, splitK: 0, half };
  const c1 = matmulChoices(sq, sk, d, groups, ctx.caps, opts);
  // P·V has few output tiles over long rows: the split over the keys decides its time, so the
  // tensor-core tiles offer three split factors (Whisper-tiny: 6 heads × 1,500 keys)
  const c2 = matmulChoices(sq, dv, sk, groups, ctx.caps, { ...opts, splitK: 1, mmaSplitK: 3 });
  const bytes = Math.ceil((groups * sq * sk * (storage === 'f16' ? 2 : 4)) / 4) * 4;
  // scores one binding cannot hold (long sequences, many heads): the flash kernels only
  if (bytes > bindingLimit(ctx.caps)) return [];
  const softmax = softmaxProgram(layer, ctx, masks, groups * sq);
  const tactics: Tactic[] = [];
  const add = (t1: TileConfig, t2: TileConfig, splits: number) => {
    const g1 = tiledMatmul(first, t1, 1, ctx.caps);
    const g2 = tiledMatmul(second, t2, splits, ctx.caps);
    const name = `attention-gemm-${tileName(t1)}-${tileName(t2)}${splits > 1 ? `-sk${splits}` : ''}`;
    if (tactics.some((t) => t.name === name)) return;
    // P·V split over the keys (few output tiles, long rows): its partial sums are scratch region 1
    const pv = g2.programs.map((p) => ({ ...p, bindings: p.bindings.map((b) => ('scratch' in b ? { scratch: 1 } : b)) }));
    tactics.push({ name, programs: [...toScratch(g1.programs, scores.name), softmax, ...toScratch(pv, scores.name)], constants: masks.constants, scratch: [bytes, ...g2.scratch] });
  };
  const plain = (c: typeof c1) => c.filter((x) => x.splits === 1).map((x) => x.tile);
  for (const [t1, t2] of pairings(plain(c1), plain(c2))) add(t1, t2, 1);
  for (const s of c2.filter((x) => x.splits > 1)) {
    const t1 = plain(c1).find((t) => tileKind(t) === tileKind(s.tile));
    if (t1) add(t1, s.tile, s.splits);
  }
  return tactics;
}
