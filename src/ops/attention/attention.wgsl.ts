// ONNX Attention on WebGPU, as programs in one encoder: (1) K and V with the past cache prepended,
// head-major (into present_key / present_value when asked, else scratch; skipped when K, V are
// already that); (2) scores = scale·Q·Kᵀ → softcap → + mask (_wgsl/attention-core.ts), the mask
// (attn_mask, causal, windows, nonpad_kv_seqlen) as its bias function; (3) the row softmax (a fully
// masked row gives zeros); (4) probabilities · V, written in Y's layout. Query head h reads
// kv head ⌊h / (q_heads / kv_heads)⌋.
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { broadcastStrides } from '../../tensor/shape.js';
import { NEG_INF } from '../../wgsl/math.js';
import { probsTimesVProgram, scoresProgram, type ExtraBinding } from '../_wgsl/attention-core.js';
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
  const width = mask?.shape.at(-1) ?? 0;
  const extra: ExtraBinding[] = [];
  if (mask) extra.push({ name: 'MASK', type: mask.dtype === 'bool' ? 'u32' : 'f32', ref: { input: 3 } });
  if (nonpad) extra.push({ name: 'NP', type: 'i32', ref: { input: 6 } });
  if (mode >= 0 && mode <= 2) extra.push({ name: 'O3', type: 'f32', ref: { output: 3 }, write: true });
  const store3 = (rowAt: string) => `O3[${rowAt}] = ${narrow('x', outs[3]!.dtype)};`;
  const key = [mask ? `${mask.dtype}` : '-', a.is_causal, a.left_window_size >= 0, a.right_window_size >= 0, d.pastLen > 0, !!nonpad, mode, outs[3]?.dtype ?? '-'].join(':');
  programs.push(scoresProgram({
    key: `onnx:${key}`, d, qRank: d.rank === 4 ? 4 : 3, q: { input: 0 }, k: K, s: S, scale: a.scale ?? 1 / Math.sqrt(d.headDim), softcap: a.softcap, extra,
    uniforms: (u) => {
      u.add('win', 'i32', [a.left_window_size, a.right_window_size]);
      if (mask) u.add('mask', 'u32', [...broadcastStrides(mask.shape, [d.batch, d.qHeads, d.qLen, width]).slice(0, 3), width]);
    },
    bias: (u) => [
      mask ? `if (j >= ${u.at('mask', 3)}) { return ${NEG_INF}; }
  let mv = MASK[b * ${u.at('mask', 0)} + h * ${u.at('mask', 1)} + i * ${u.at('mask', 2)} + j];
  ${mask.dtype === 'bool' ? `if (mv == 0u) { return ${NEG_INF}; }` : 'x = mv;'}` : '',
      `let diff = i32(i) + ${d.pastLen > 0 ? `i32(${u.at('heads', 3)})` : nonpad ? `NP[b] - i32(${u.at('mnk', 0)})` : '0'} - i32(j);`,
      a.is_causal ? `if (diff < 0) { return ${NEG_INF}; }` : '',
      a.left_window_size >= 0 ? `if (diff > ${u.at('win', 0)}) { return ${NEG_INF}; }` : '',
      a.right_window_size >= 0 ? `if (-diff > ${u.at('win', 1)}) { return ${NEG_INF}; }` : '',
      nonpad ? `if (i32(j) >= NP[b]) { return ${NEG_INF}; }` : '',
    ].filter(Boolean).join('\n  '),
    ...(mode === 0 || mode === 1 ? { beforeBias: store3 } : {}),
    ...(mode === 2 ? { afterBias: store3 } : {}),
  }));
  programs.push(softmaxRowsProgram({ rows, len: d.total, inner: 1, log: false, outDtype: mode === 3 ? outs[3]!.dtype : 'float32', input: S, output: P, zeroMaskedRows: true }));
  // probabilities · V, stored in Y's layout
  programs.push(probsTimesVProgram(d, P, V, { output: 0 }, d.rank === 4 ? 4 : 3, outs[0]!.dtype));
  return { programs, scratch };
};
