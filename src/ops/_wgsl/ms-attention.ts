// Pieces of the com.microsoft attention ops on WebGPU: the staging program that writes Q, K or V
// head-major [B, N, total, dim] from any of their input layouts (past rows first, the projection
// bias added), the onnxruntime mask as the scores' bias function, and the programs that follow
// (scores, softmax, P·V from attention-core.ts). Masked keys get mask_filter_value, not −∞
// (see _kernels/ms-mask.ts), so rows are never fully masked.
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { DType } from '../../tensor/dtype.js';
import type { InferInput } from '../../tensor/tensor-type.js';
import { softmaxRowsProgram } from '../softmax/softmax.wgsl.js';
import { probsTimesVProgram, scoresProgram, type AttentionHeads, type ExtraBinding } from './attention-core.js';

export interface StageSpec {
  batch: number;
  heads: number;
  /** Rows written per head: past then current. */
  total: number;
  dim: number;
  pastLen: number;
  /** The current rows' source: element (b, h, t, e) is at b·sB + t·sT + h·sH + e + offset. */
  src: BufferRef;
  strides: [sB: number, sT: number, sH: number, offset: number];
  /** Past rows [B, N, P, dim] starting at element pastBase of `past`. */
  past?: { ref: BufferRef; base: number };
  /** The projection bias: bias[offset + h·dim + e] is added to current rows. */
  bias?: { ref: BufferRef; offset: number };
  out: BufferRef;
  /** First element written in `out` (a half of a stacked present). */
  outBase?: number;
  outDtype: DType;
}

export function stageHeadsProgram(s: StageSpec): Program {
  const size = s.batch * s.heads * s.total * s.dim;
  const u = new Uniforms().add('dims', 'u32', [s.heads, s.total, s.dim, s.pastLen, size, s.past?.base ?? 0, s.bias?.offset ?? 0, s.outBase ?? 0])
    .add('st', 'u32', s.strides);
  const [N, T, D, P, SIZE, PB, BO, OB] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u.at('dims', i));
  const [SB, ST, SH, OFF] = [0, 1, 2, 3].map((i) => u.at('st', i));
  const names = ['SRC', ...(s.past ? ['PAST'] : []), ...(s.bias ? ['BIAS'] : []), 'OUT'];
  const body = `if (gi >= ${SIZE}) { return; }
    let e = gi % ${D};
    let t = (gi / ${D}) % ${T};
    let bh = gi / (${D} * ${T});
    let h = bh % ${N};
    let b = bh / ${N};
    var x = 0.0;
    if (t < ${P}) {
      ${s.past ? `x = PAST[${PB} + (bh * ${P} + t) * ${D} + e];` : ''}
    } else {
      x = SRC[b * ${SB} + (t - ${P}) * ${ST} + h * ${SH} + e + ${OFF}]${s.bias ? ` + BIAS[${BO} + h * ${D} + e]` : ''};
    }
    OUT[${OB} + gi] = ${narrow('x', s.outDtype)};`;
  return {
    key: `ms-stage:${!!s.past}:${!!s.bias}:${s.outDtype}`,
    source: () => `${names.map((n, i) => storage(i, n, 'f32', n === 'OUT' ? 'read_write' : 'read')).join('')}${u.declare(names.length)}${linearMain(body)}`,
    bindings: [s.src, ...(s.past ? [s.past.ref] : []), ...(s.bias ? [s.bias.ref] : []), s.out], uniforms: u, workgroups: linearDispatch(size),
  };
}

export interface MsMaskSpec {
  /** key_padding_mask / mask_index (int32), its input index. */
  keyMask?: { input: number; type: InferInput };
  unidirectional: boolean;
  /** attention_bias [B|1, N|1, qLen, total], its input index. */
  attentionBias?: { input: number; type: InferInput };
  filter: number;
}

/** Scores with the onnxruntime mask, softmax, and P·V into Y [B, qLen, N·vDim]: the programs after staging. */
export function msAttentionPrograms(
  d: AttentionHeads, q: BufferRef, k: BufferRef, v: BufferRef, y: BufferRef, outDtype: DType, scale: number, m: MsMaskSpec,
  scratch: number[],
): Program[] {
  const rows = d.batch * d.qHeads * d.qLen;
  const S: BufferRef = { scratch: scratch.push(rows * d.total) - 1 };
  const P: BufferRef = { scratch: scratch.push(rows * d.total) - 1 };
  const km = m.keyMask?.type;
  const kmKind = !km ? '-' : km.shape.length === 1 ? (km.shape[0] === d.batch ? 'len' : 'range') : `r${km.shape.length}`;
  const ab = m.attentionBias?.type;
  const extra: ExtraBinding[] = [
    ...(m.keyMask ? [{ name: 'KM', type: 'i32', ref: { input: m.keyMask.input } }] : []),
    ...(m.attentionBias ? [{ name: 'AB', type: 'f32', ref: { input: m.attentionBias.input } }] : []),
  ];
  // batch, total and qLen are uniforms: ms[2], ms[3], mnk[0]
  const keyMasked = (u: Uniforms): string => ({
    '-': '',
    len: 'masked = masked || i32(j) >= KM[b];',
    range: `masked = masked || i32(j) >= KM[b] || i32(j) < KM[${u.at('ms', 2)} + b];`,
    r2: `masked = masked || KM[b * ${u.at('ms', 3)} + j] == 0;`,
    r3: `masked = masked || KM[(b * ${u.at('mnk', 0)} + i) * ${u.at('ms', 3)} + j] == 0;`,
  } as Record<string, string>)[kmKind]!;
  const scores = scoresProgram({
    key: `ms:${kmKind}:${m.unidirectional}:${!!ab}`, d, qRank: 4, q, k, s: S, scale, softcap: 0, extra,
    uniforms: (u) => u.add('ms', 'u32', [ab?.shape[0] === 1 ? 0 : ab?.shape[1] ?? 0, ab?.shape[1] === 1 ? 0 : 1, d.batch, d.total]).add('msf', 'f32', m.filter),
    bias: (u) => `var masked = false;
  ${m.unidirectional ? `masked = j > ${u.at('heads', 3)} + i;` : ''}
  ${keyMasked(u)}
  if (masked) { x = ${u.at('msf')}; }
  ${ab ? `x = x + AB[((b * ${u.at('ms', 0)} + h * ${u.at('ms', 1)}) * ${u.at('mnk', 0)} + i) * ${u.at('mnk', 1)} + j];` : ''}`,
  });
  return [
    scores,
    softmaxRowsProgram({ rows, len: d.total, inner: 1, log: false, outDtype: 'float32', input: S, output: P }),
    probsTimesVProgram(d, P, v, y, 3, outDtype),
  ];
}
