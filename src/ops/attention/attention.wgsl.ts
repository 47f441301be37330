// ONNX Attention on WebGPU, as programs in one encoder: (1) K and V with the past cache prepended,
// head-major (into present_key / present_value when asked, else scratch; skipped when K, V are
// already that); (2) scores = scale·Q·Kᵀ → softcap → + mask on the tiled GEMM, the mask (attn_mask,
// causal, windows, nonpad_kv_seqlen) applied in its store; (3) the row softmax (a fully masked row
// gives zeros); (4) probabilities · V on the tiled GEMM, written in Y's layout. Query head h reads
// kv head ⌊h / (q_heads / kv_heads)⌋.
import { gemmProgram } from '../../devices/webgpu/gemm.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { broadcastStrides } from '../../tensor/shape.js';
import { INFINITY, NEG_INF, TANH } from '../../wgsl/math.js';
import { softmaxRowsProgram } from '../softmax/softmax.wgsl.js';
import { attentionDims, type Attention, type AttentionShape } from './attention.op.js';

/** Past (when any) then current K or V, head-major [B, kvH, total, dim], into `target`. */
function gatherProgram(d: AttentionShape, dim: number, cur: number, past: number | undefined, target: BufferRef): Program {
  const size = d.batch * d.kvHeads * d.total * dim;
  const u = new Uniforms().add('dims', 'u32', [d.kvHeads, d.total, dim, d.pastLen]).add('kv', 'u32', [d.kvLen, size]);
  const [KVH, TOTAL, DIM, PAST] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const KVLEN = u.at('kv', 0);
  const curAt = d.rank === 4 ? `((b * ${KVH} + h) * ${KVLEN} + tt) * ${DIM} + e` : `(b * ${KVLEN} + tt) * ${KVH} * ${DIM} + h * ${DIM} + e`;
  const names = past === undefined ? ['CUR', 'OUT'] : ['CUR', 'PAST', 'OUT'];
  const body = `if (gi >= ${u.at('kv', 1)}) { return; }
    let e = gi % ${DIM};
    let t = (gi / ${DIM}) % ${TOTAL};
    let bh = gi / (${DIM} * ${TOTAL});
    let b = bh / ${KVH};
    let h = bh % ${KVH};
    ${past === undefined ? '' : `if (t < ${PAST}) { OUT[gi] = PAST[(bh * ${PAST} + t) * ${DIM} + e]; return; }`}
    let tt = t - ${PAST};
    OUT[gi] = CUR[${curAt}];`;
  return {
    key: `attn-gather:r${d.rank}:${past !== undefined}`,
    source: () => `${names.map((n, i) => storage(i, n, 'f32', n === 'OUT' ? 'read_write' : 'read')).join('')}${u.declare(names.length)}${linearMain(body)}`,
    bindings: [{ input: cur }, ...(past === undefined ? [] : [{ input: past }]), target], uniforms: u, workgroups: linearDispatch(size),
  };
}

export const attentionWgsl: GpuKernel<typeof Attention.attrs> = (ins, a, outs) => {
  const d = attentionDims(ins, a);
  const [, , , mask, pastK, , nonpad] = ins;
  const batches = d.batch * d.qHeads;
  if (batches > 65535) return `${batches} (batch, head) pairs exceed one dispatch dimension`;
  if (d.total === 0 || d.qLen === 0) return 'an empty sequence';
  const mode = outs.length > 3 ? a.qk_matmul_output_mode : -1;
  const group = d.qHeads / d.kvHeads;
  const scratch: number[] = [];
  const scratchRef = (n: number): BufferRef => ({ scratch: scratch.push(n) - 1 });
  const programs: Program[] = [];
  // K and V head-major with their past
  const direct = d.rank === 4 && !pastK;
  const kv = (which: 1 | 2, dim: number): BufferRef => {
    if (direct && outs.length <= which) return { input: which };
    const target = outs.length > which ? { output: which } : scratchRef(d.batch * d.kvHeads * d.total * dim);
    programs.push(gatherProgram(d, dim, which, pastK ? which + 3 : undefined, target));
    return target;
  };
  const K = kv(1, d.headDim);
  const V = kv(2, d.vHeadDim);
  const rows = batches * d.qLen;
  const S = scratchRef(rows * d.total);
  const P = mode === 3 ? { output: 3 } : scratchRef(rows * d.total);

  // scores, with the mask in the GEMM's store
  const u = new Uniforms().add('mnk', 'u32', [d.qLen, d.total, d.headDim])
    .add('heads', 'u32', [d.qHeads, group, d.kvHeads, d.pastLen])
    .add('fp', 'f32', [a.scale ?? 1 / Math.sqrt(d.headDim), a.softcap])
    .add('win', 'i32', [a.left_window_size, a.right_window_size]);
  const [M, N, KD] = [0, 1, 2].map((i) => u.at('mnk', i));
  const [QH, G, KVH, PAST] = [0, 1, 2, 3].map((i) => u.at('heads', i));
  const width = mask?.shape.at(-1) ?? 0;
  if (mask) u.add('mask', 'u32', [...broadcastStrides(mask.shape, [d.batch, d.qHeads, d.qLen, width]).slice(0, 3), width]);
  const names: string[] = ['Q', 'K'];
  const bindings: BufferRef[] = [{ input: 0 }, K];
  if (mask) { names.push('MASK'); bindings.push({ input: 3 }); }
  if (nonpad) { names.push('NP'); bindings.push({ input: 6 }); }
  names.push('S');
  bindings.push(S);
  if (mode >= 0 && mode <= 2) { names.push('O3'); bindings.push({ output: 3 }); }
  const maskType = mask?.dtype === 'bool' ? 'u32' : 'f32';
  const decls = names.map((n, i) => storage(i, n, n === 'MASK' ? maskType : n === 'NP' ? 'i32' : 'f32', n === 'S' || n === 'O3' ? 'read_write' : 'read')).join('');
  const limits = [
    mask ? `if (j >= ${u.at('mask', 3)}) { return ${NEG_INF}; }
  let mv = MASK[b * ${u.at('mask', 0)} + h * ${u.at('mask', 1)} + i * ${u.at('mask', 2)} + j];
  ${mask.dtype === 'bool' ? `if (mv == 0u) { return ${NEG_INF}; }` : 'x = mv;'}` : '',
    `let diff = i32(i) + ${d.pastLen > 0 ? `i32(${PAST})` : nonpad ? `NP[b] - i32(${M})` : '0'} - i32(j);`,
    a.is_causal ? `if (diff < 0) { return ${NEG_INF}; }` : '',
    a.left_window_size >= 0 ? `if (diff > ${u.at('win', 0)}) { return ${NEG_INF}; }` : '',
    a.right_window_size >= 0 ? `if (-diff > ${u.at('win', 1)}) { return ${NEG_INF}; }` : '',
    nonpad ? `if (i32(j) >= NP[b]) { return ${NEG_INF}; }` : '',
  ].filter(Boolean).join('\n  ');
  const qAt = d.rank === 4 ? `(bt_ * ${M} + m) * ${KD} + k` : `(b_ * ${M} + m) * ${QH} * ${KD} + h_ * ${KD} + k`;
  const rowAt = `(bt_ * ${M} + m) * ${N} + n`;
  const capped = a.softcap > 0 ? `\n  x = ${u.at('fp', 1)} * tanh_(x / ${u.at('fp', 1)});` : '';
  const key = [d.rank, mask ? `${mask.dtype}` : '-', a.is_causal, a.left_window_size >= 0, a.right_window_size >= 0, d.pastLen > 0, !!nonpad, mode, a.softcap > 0, outs[3]?.dtype ?? '-'].join(':');
  programs.push(gemmProgram({
    key: `attn-scores:${key}`, decls, bindings, uniforms: u,
    globals: `${INFINITY}${TANH}
var<private> bt_: u32;
var<private> b_: u32;
var<private> h_: u32;
var<private> kBase: u32;
fn bias(b: u32, h: u32, i: u32, j: u32) -> f32 {
  var x = 0.0;
  ${limits}
  return x;
}`,
    prologue: `bt_ = batch;\n  b_ = batch / ${QH};\n  h_ = batch % ${QH};\n  kBase = (b_ * ${KVH} + h_ / ${G}) * ${N} * ${KD};`,
    M, N, K: KD,
    loadA: `return Q[${qAt}];`,
    loadB: `return K[kBase + n * ${KD} + k];`,
    store: `var x = v * ${u.at('fp', 0)};${capped}${mode === 0 || mode === 1 ? `\n  O3[${rowAt}] = ${narrow('x', outs[3]!.dtype)};` : ''}
  x = x + bias(b_, h_, m, n);${mode === 2 ? `\n  O3[${rowAt}] = ${narrow('x', outs[3]!.dtype)};` : ''}
  S[${rowAt}] = x;`,
    batches, m: d.qLen, n: d.total,
  }));
  programs.push(softmaxRowsProgram({ rows, len: d.total, inner: 1, log: false, outDtype: mode === 3 ? outs[3]!.dtype : 'float32', input: S, output: P, zeroMaskedRows: true }));

  // probabilities · V, stored in Y's layout
  const w = new Uniforms().add('mnk', 'u32', [d.qLen, d.vHeadDim, d.total]).add('heads', 'u32', [d.qHeads, group, d.kvHeads]);
  const [M2, N2, K2] = [0, 1, 2].map((i) => w.at('mnk', i));
  const [QH2, G2, KVH2] = [0, 1, 2].map((i) => w.at('heads', i));
  const yAt = d.rank === 4 ? `(bt_ * ${M2} + m) * ${N2} + n` : `(b_ * ${M2} + m) * ${QH2} * ${N2} + h_ * ${N2} + n`;
  programs.push(gemmProgram({
    key: `attn-pv:r${d.rank}:${outs[0]!.dtype}`,
    decls: storage(0, 'P', 'f32', 'read') + storage(1, 'V', 'f32', 'read') + storage(2, 'Y', 'f32', 'read_write'),
    bindings: [P, V, { output: 0 }], uniforms: w,
    globals: 'var<private> bt_: u32;\nvar<private> b_: u32;\nvar<private> h_: u32;\nvar<private> vBase: u32;',
    prologue: `bt_ = batch;\n  b_ = batch / ${QH2};\n  h_ = batch % ${QH2};\n  vBase = (b_ * ${KVH2} + h_ / ${G2}) * ${K2} * ${N2};`,
    M: M2, N: N2, K: K2,
    loadA: `return P[(bt_ * ${M2} + m) * ${K2} + k];`,
    loadB: `return V[vBase + k * ${N2} + n];`,
    store: `Y[${yAt}] = ${narrow('v', outs[0]!.dtype)};`,
    batches, m: d.qLen, n: d.vHeadDim,
  }));
  return { programs, scratch };
};
