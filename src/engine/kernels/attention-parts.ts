// What every attention kernel shares: the bindings (output, each distinct input tensor once,
// constant masks), the per-batch-entry offsets of each view, the mask terms added to a score and
// the causal limits. A kernel names its query row `row`, its key `key`, its batch entry `g` and its
// first query row of the block `q0`; these strings are written against those names.
import { NEG_INF } from '../../wgsl/math.js';
import { stridesOf } from '../../tensor/shape.js';
import { attentionDimsOf, tensorMasks, type AttentionLayer } from '../layers/attention.js';
import type { TensorView } from '../layers/tensor-view.js';
import type { NetTensor } from '../network.js';
import { declareConstant, declareTensor, encodeStorage, f32Literal, loaders, storers } from './access.js';
import { KernelReason, layoutStrides, sameOrder, tensorOf } from './convert.js';
import type { EngineBinding, KernelContext } from './tactic.js';

/** WGSL `fn <name>(g: u32) -> u32`: the element offset of batch entry g (flat over `batch`) in a view. */
function batchOffset(name: string, batch: readonly number[], strides: readonly number[]): string {
  const flat = stridesOf(batch);
  const terms = batch.flatMap((d, i) => (d === 1 || strides[i] === 0 ? [] : [`((g / ${flat[i]}u) % ${d}u) * ${strides[i]}u`]));
  return `fn ${name}(g: u32) -> u32 { return ${terms.length ? terms.join(' + ') : '0u'}; }\n`;
}

export interface AttentionBinding {
  /** Declarations: the output `y` (binding 0) with its storers, each input's loaders, constants c0, c1, ... */
  wgsl: string;
  bindings: EngineBinding[];
  /** The constant masks' values, bound as constants c0, c1, ... */
  constants: Uint8Array[];
  /** `load_tN`, the loader of a view's tensor. */
  load(v: TensorView): string;
}

/** Binds the output (binding 0) and each distinct input tensor once (a dispatch cannot bind one twice). */
export function bindAttention(layer: AttentionLayer, ctx: KernelContext, out: NetTensor): AttentionBinding {
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
  return { wgsl, bindings, constants, load: (v) => `load_${names.get(v.tensor)}` };
}

export interface AttentionAddressing {
  /** fn offQ/offK/offV/offO/offM<k>(g): each view's offset of batch entry g. */
  offsets: string;
  /** ` + mask0 + ...`: the mask terms of score (row, key), to append to the scaled dot product. */
  maskTerms: string;
  /** The end of the keys any row of the block [q0, q0 + bq) sees (a WGSL u32 expression). */
  keyEnd(bq: number): string;
  /** Whether key `key` (at block position j < jn) counts for `row` (a WGSL bool expression). */
  keep: string;
  /** Element strides within a batch entry: Q [row, c], Kᵀ [c, key], V [key, e], the output's rows. */
  qs: number; qd: number; kd: number; kk: number; vk: number; ve: number; os: number;
}

export function attentionAddressing(layer: AttentionLayer, b: AttentionBinding): AttentionAddressing {
  const { batch, sq, sk } = attentionDimsOf(layer);
  const r = batch.length;
  const views = [['offQ', layer.q.strides], ['offK', layer.kt.strides], ['offV', layer.v.strides], ['offO', layer.outStrides]] as const;
  let offsets = views.map(([n, s]) => batchOffset(n, batch, s.slice(0, r))).join('');
  let maskTerms = '';
  let constant = 0;
  layer.masks.forEach((m, k) => {
    offsets += batchOffset(`offM${k}`, batch, m.view.strides.slice(0, r));
    const [mi, mj] = m.view.strides.slice(r) as [number, number];
    const factor = m.factor === 1 ? '' : ` * ${f32Literal(m.factor)}`;
    const at = `offM${k}(g) + row * ${mi}u + key * ${mj}u`;
    maskTerms += ` + ${m.constant ? `c${constant++}[${at}]` : `${b.load(m.view)}(${at})`}${factor}`;
  });
  const causal = layer.causalOffset;
  const [qs, qd] = layer.q.strides.slice(r) as [number, number];
  const [kd, kk] = layer.kt.strides.slice(r) as [number, number];
  const [vk, ve] = layer.v.strides.slice(r) as [number, number];
  return {
    offsets,
    maskTerms,
    keyEnd: (bq) => (causal === undefined ? `${sk}u` : `u32(clamp(i32(min(q0 + ${bq - 1}u, ${sq - 1}u)) + ${causal + 1}, 0, ${sk}))`),
    keep: causal === undefined ? 'j < jn' : `j < jn && i32(key) <= i32(row) + ${causal}`,
    qs, qd, kd, kk, vk, ve,
    os: layer.outStrides[r]!,
  };
}

/** Whether rows of the output can be stored as f16/f32 pairs (else one element at a time, f32 storage only). */
export function pairedRows(layer: AttentionLayer, out: NetTensor, dv: number): boolean {
  const r = layer.outStrides.length;
  const se = layer.outStrides[r - 1]!;
  const pairs = se === 1 && dv % 2 === 0 && layer.outStrides.slice(0, r - 1).every((s) => s % 2 === 0);
  if (!pairs && out.format.storage === 'f16x2') throw new KernelReason(`attention ${layer.name}: output rows cannot be written as packed f16 pairs`);
  return pairs;
}

/**
 * A kernel's per-row online-softmax state before its key loop: the f32 accumulator of `width`
 * columns, the running max `m` and sum `l`, the end of the keys (`kEnd`) and the K and V bases.
 */
export function rowState(a: AttentionAddressing, width: number, bq: number): string {
  return `  var acc: array<f32, ${width}>;
  for (var e = 0u; e < ${width}u; e++) { acc[e] = 0.0; }
  var m = ${NEG_INF};
  var l = 0.0;
  let kEnd = ${a.keyEnd(bq)};
  let kBase = offK(g);
  let vBase = offV(g);`;
}

/**
 * The first lines of a query-block kernel's main: workgroup `unit` (from `group`, its grid
 * expression) picks batch entry `g` and the block's first query row `q0`; units past the last return.
 */
export function queryBlockEntry(group: string, groups: number, qBlocks: number, bq: number): string {
  return `  let unit = ${group};
  if (unit >= ${groups}u) { return; }
  let g = unit / ${qBlocks}u;
  let q0 = (unit % ${qBlocks}u) * ${bq}u;`;
}
