// The two GEMMs of attention on WebGPU, shared by ONNX Attention and the com.microsoft attention
// ops: (1) scores = scale·Q·Kᵀ (→ softcap) + bias(b, h, i, j) into a [B·qH, qLen, total] buffer,
// the op's masks written as the WGSL body of `bias`; (2) probabilities · V into Y. K and V are
// head-major [B, kvH, total, dim]; query head h reads kv head ⌊h / (qH / kvH)⌋. Between them the
// op runs softmaxRowsProgram (softmax/softmax.wgsl.ts).
import { gemmProgram } from '../../devices/webgpu/gemm.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, Program } from '../../devices/webgpu/program.js';
import { storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { DType } from '../../tensor/dtype.js';
import { INFINITY, TANH } from '../../wgsl/math.js';

export interface AttentionHeads {
  batch: number;
  qHeads: number;
  kvHeads: number;
  qLen: number;
  /** Keys per row (past + current). */
  total: number;
  headDim: number;
  vHeadDim: number;
  pastLen: number;
}

/** A storage buffer the scores program binds besides Q, K and S (a mask, an extra output). */
export interface ExtraBinding { name: string; type: string; ref: BufferRef; write?: boolean }

export interface ScoresSpec {
  /** Names the op's part of the WGSL (its masks, layouts, stores). */
  key: string;
  d: AttentionHeads;
  /** Q is [B, qH, qLen, dim] (4) or [B, qLen, qH·dim] (3). */
  qRank: 3 | 4;
  q: BufferRef;
  k: BufferRef;
  s: BufferRef;
  scale: number;
  /** > 0: x = softcap·tanh(x / softcap) before the bias. */
  softcap: number;
  extra?: ExtraBinding[];
  /** Adds the op's uniform fields; the core's are mnk [qLen, total, headDim], heads [qH, group, kvH, pastLen], fp [scale, softcap]. */
  uniforms?: (u: Uniforms) => void;
  /** WGSL statements of fn bias(b, h, i, j) -> f32 updating `var x = 0.0` (or returning early). */
  bias: (u: Uniforms) => string;
  /** WGSL statements run in the store with the scaled (capped) score `x` and `rowAt`, before and after the bias. */
  beforeBias?: (rowAt: string) => string;
  afterBias?: (rowAt: string) => string;
}

export function scoresProgram(s: ScoresSpec): Program {
  const { d } = s;
  const u = new Uniforms().add('mnk', 'u32', [d.qLen, d.total, d.headDim])
    .add('heads', 'u32', [d.qHeads, d.qHeads / d.kvHeads, d.kvHeads, d.pastLen])
    .add('fp', 'f32', [s.scale, s.softcap]);
  s.uniforms?.(u);
  const [M, N, KD] = [0, 1, 2].map((i) => u.at('mnk', i));
  const [QH, G, KVH] = [0, 1, 2].map((i) => u.at('heads', i));
  const extra = s.extra ?? [];
  const names = ['Q', 'K', ...extra.map((e) => e.name), 'S'];
  const types = ['f32', 'f32', ...extra.map((e) => e.type), 'f32'];
  const decls = names.map((n, i) => storage(i, n, types[i]!, n === 'S' || extra[i - 2]?.write ? 'read_write' : 'read')).join('');
  const qAt = s.qRank === 4 ? `(bt_ * ${M} + m) * ${KD} + k` : `(b_ * ${M} + m) * ${QH} * ${KD} + h_ * ${KD} + k`;
  const rowAt = `(bt_ * ${M} + m) * ${N} + n`;
  const capped = s.softcap > 0 ? `\n  x = ${u.at('fp', 1)} * tanh_(x / ${u.at('fp', 1)});` : '';
  return gemmProgram({
    key: `attn-scores:q${s.qRank}:${s.softcap > 0}:${s.key}`, decls, bindings: [s.q, s.k, ...extra.map((e) => e.ref), s.s], uniforms: u,
    globals: `${INFINITY}${TANH}
var<private> bt_: u32;
var<private> b_: u32;
var<private> h_: u32;
var<private> kBase: u32;
fn bias(b: u32, h: u32, i: u32, j: u32) -> f32 {
  var x = 0.0;
  ${s.bias(u)}
  return x;
}`,
    prologue: `bt_ = batch;\n  b_ = batch / ${QH};\n  h_ = batch % ${QH};\n  kBase = (b_ * ${KVH} + h_ / ${G}) * ${N} * ${KD};`,
    M, N, K: KD,
    loadA: `return Q[${qAt}];`,
    loadB: `return K[kBase + n * ${KD} + k];`,
    store: `var x = v * ${u.at('fp', 0)};${capped}${s.beforeBias ? `\n  ${s.beforeBias(rowAt)}` : ''}
  x = x + bias(b_, h_, m, n);${s.afterBias ? `\n  ${s.afterBias(rowAt)}` : ''}
  S[${rowAt}] = x;`,
    batches: d.batch * d.qHeads, m: d.qLen, n: d.total,
  });
}

/** Y = P·V per (batch, query head), stored [B, qLen, qH·vDim] (3) or [B, qH, qLen, vDim] (4). */
export function probsTimesVProgram(d: AttentionHeads, p: BufferRef, v: BufferRef, y: BufferRef, outRank: 3 | 4, outDtype: DType): Program {
  const w = new Uniforms().add('mnk', 'u32', [d.qLen, d.vHeadDim, d.total]).add('heads', 'u32', [d.qHeads, d.qHeads / d.kvHeads, d.kvHeads]);
  const [M, N, K] = [0, 1, 2].map((i) => w.at('mnk', i));
  const [QH, G, KVH] = [0, 1, 2].map((i) => w.at('heads', i));
  const yAt = outRank === 4 ? `(bt_ * ${M} + m) * ${N} + n` : `(b_ * ${M} + m) * ${QH} * ${N} + h_ * ${N} + n`;
  return gemmProgram({
    key: `attn-pv:r${outRank}:${outDtype}`,
    decls: storage(0, 'P', 'f32', 'read') + storage(1, 'V', 'f32', 'read') + storage(2, 'Y', 'f32', 'read_write'),
    bindings: [p, v, y], uniforms: w,
    globals: 'var<private> bt_: u32;\nvar<private> b_: u32;\nvar<private> h_: u32;\nvar<private> vBase: u32;',
    prologue: `bt_ = batch;\n  b_ = batch / ${QH};\n  h_ = batch % ${QH};\n  vBase = (b_ * ${KVH} + h_ / ${G}) * ${K} * ${N};`,
    M, N, K,
    loadA: `return P[(bt_ * ${M} + m) * ${K} + k];`,
    loadB: `return V[vBase + k * ${N} + n];`,
    store: `Y[${yAt}] = ${narrow('v', outDtype)};`,
    batches: d.batch * d.qHeads, m: d.qLen, n: d.vHeadDim,
  });
}
