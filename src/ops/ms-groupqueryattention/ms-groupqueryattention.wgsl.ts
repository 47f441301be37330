import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { DType } from '../../tensor/dtype.js';
import { NEG_INF } from '../../wgsl/math.js';
import { probsTimesVProgram, scoresProgram, type ExtraBinding } from '../_wgsl/attention-core.js';
import { stageHeadsProgram } from '../_wgsl/ms-attention.js';
import { softmaxRowsProgram } from '../softmax/softmax.wgsl.js';
import { gqaDims, type GroupQueryAttention } from './ms-groupqueryattention.op.js';

// com.microsoft GroupQueryAttention on WebGPU: present_key / present_value built on the device from
// seqlens_k (batch b's S new rows at T_b − S, the past rows before them kept, zeros after), then
// scores with the causal / window / length mask and attention_bias, softmax, P·V
// (_wgsl/attention-core.ts). A shader cannot raise the CPU kernel's error for a seqlens_k that does
// not fit the cache, so the new rows' start is clamped into it; a constant seqlens_k is checked
// here and falls back. do_rotary and smooth_softmax / head_sink run on the CPU.

interface PresentSpec { batch: number; kvHeads: number; seq: number; presentLen: number; pastLen: number; headDim: number; stride: number; offset: number; src: number; past?: number; out: BufferRef; outDtype: DType }

function presentProgram(s: PresentSpec): Program {
  const size = s.batch * s.kvHeads * s.presentLen * s.headDim;
  const u = new Uniforms().add('dims', 'u32', [s.kvHeads, s.presentLen, s.headDim, s.pastLen, s.seq, size, s.stride, s.offset]);
  const [NKV, T, D, P, S, SIZE, STRIDE, OFF] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u.at('dims', i));
  const names = ['SRC', 'SL', ...(s.past !== undefined ? ['PAST'] : []), 'OUT'];
  const body = `if (gi >= ${SIZE}) { return; }
    let e = gi % ${D};
    let t = (gi / ${D}) % ${T};
    let bh = gi / (${D} * ${T});
    let h = bh % ${NKV};
    let b = bh / ${NKV};
    let start = u32(clamp(SL[b] + 1 - i32(${S}), 0, i32(${T}) - i32(${S})));
    var x = 0.0;
    if (t >= start && t < start + ${S}) {
      x = SRC[(b * ${S} + t - start) * ${STRIDE} + ${OFF} + h * ${D} + e];
    } else if (t < min(start, ${P})) {
      ${s.past !== undefined ? `x = PAST[(bh * ${P} + t) * ${D} + e];` : ''}
    }
    OUT[gi] = ${narrow('x', s.outDtype)};`;
  return {
    key: `gqa-present:${s.past !== undefined}:${s.outDtype}`,
    source: () => `${names.map((n, i) => storage(i, n, n === 'SL' ? 'i32' : 'f32', n === 'OUT' ? 'read_write' : 'read')).join('')}${u.declare(names.length)}${linearMain(body)}`,
    bindings: [{ input: s.src }, { input: 5 }, ...(s.past !== undefined ? [{ input: s.past }] : []), s.out], uniforms: u, workgroups: linearDispatch(size),
  };
}

export const groupQueryAttentionWgsl: GpuKernel<typeof GroupQueryAttention.attrs> = (ins, a, outs) => {
  const d = gqaDims(ins, a);
  const { batch, seq, headDim: hd, pastLen, presentLen, totalLen, packed } = d;
  const [, , , pk, , seqlens, , , , , ab, sink] = ins;
  const n = a.num_heads;
  const nkv = a.kv_num_heads;
  if (a.do_rotary) return 'do_rotary (rotary embedding inside the op)';
  if (a.smooth_softmax || sink) return 'smooth_softmax / head_sink (an extra softmax logit)';
  if (batch * n > 65535) return `${batch * n} (batch, head) pairs exceed one dispatch dimension`;
  if (seq === 0 || hd === 0 || presentLen === 0) return 'an empty sequence or head';
  const known = seqlens!.value?.toNumbers();
  if (known?.some((l) => l + 1 < seq || l + 1 > presentLen)) return 'a seqlens_k that does not fit the cache (the CPU kernel reports it)';
  const scratch: number[] = [];
  const programs: Program[] = [];
  const dtype = outs[0]!.dtype;
  const stride = packed ? (n + 2 * nkv) * hd : nkv * hd;
  const present = (which: 1 | 2): BufferRef => {
    const out: BufferRef = outs[which] ? { output: which } : { scratch: scratch.push(batch * nkv * presentLen * hd) - 1 };
    programs.push(presentProgram({
      batch, kvHeads: nkv, seq, presentLen, pastLen, headDim: hd, stride, offset: packed ? (which === 1 ? n * hd : (n + nkv) * hd) : 0,
      src: packed ? 0 : which, ...(pk ? { past: which + 2 } : {}), out, outDtype: 'output' in out ? dtype : 'float32',
    }));
    return out;
  };
  const K = present(1);
  const V = present(2);
  // a packed query is staged head-major; a plain one is read in place
  let Q: BufferRef = { input: 0 };
  if (packed) {
    Q = { scratch: scratch.push(batch * n * seq * hd) - 1 };
    programs.push(stageHeadsProgram({ batch, heads: n, total: seq, dim: hd, pastLen: 0, src: { input: 0 }, strides: [seq * stride, stride, hd, 0], out: Q, outDtype: 'float32' }));
  }
  const heads = { batch, qHeads: n, kvHeads: nkv, qLen: seq, total: presentLen, headDim: hd, vHeadDim: hd, pastLen };
  const rows = batch * n * seq;
  const S: BufferRef = { scratch: scratch.push(rows * presentLen) - 1 };
  const P: BufferRef = { scratch: scratch.push(rows * presentLen) - 1 };
  const extra: ExtraBinding[] = [{ name: 'SL', type: 'i32', ref: { input: 5 } }, ...(ab ? [{ name: 'AB', type: 'f32', ref: { input: 10 } }] : [])];
  programs.push(scoresProgram({
    key: `gqa:${a.causal !== 0}:${a.local_window_size > 0}:${!!ab}`, d: heads, qRank: packed ? 4 : 3, q: Q, k: K, s: S,
    scale: a.scale ?? 1 / Math.sqrt(hd), softcap: a.softcap, extra,
    uniforms: (u) => u.add('gqa', 'i32', [a.local_window_size, totalLen, ab?.shape[0] === 1 ? 0 : 1, ab?.shape[1] ?? 0, ab?.shape[1] === 1 ? 0 : 1]),
    bias: (u) => {
      const SEQ = u.at('mnk', 0);
      return `let lenb = SL[b] + 1;
  let pos = clamp(lenb - i32(${SEQ}), 0, i32(${u.at('mnk', 1)}) - i32(${SEQ})) + i32(i);
  if (i32(j) >= lenb) { return ${NEG_INF}; }
  ${a.causal !== 0 ? `if (i32(j) > pos) { return ${NEG_INF}; }` : ''}
  ${a.local_window_size > 0 ? `if (i32(j) <= pos - ${u.at('gqa', 0)}) { return ${NEG_INF}; }` : ''}
  ${ab ? `if (i32(j) < ${u.at('gqa', 1)}) { x = AB[((b * u32(${u.at('gqa', 2)}) * u32(${u.at('gqa', 3)}) + h * u32(${u.at('gqa', 4)})) * ${SEQ} + i) * u32(${u.at('gqa', 1)}) + j]; }` : ''}`;
    },
  }));
  programs.push(softmaxRowsProgram({ rows, len: presentLen, inner: 1, log: false, outDtype: 'float32', input: S, output: P, zeroMaskedRows: true }));
  programs.push(probsTimesVProgram(heads, P, V, { output: 0 }, 3, dtype));
  return { programs, scratch };
};
