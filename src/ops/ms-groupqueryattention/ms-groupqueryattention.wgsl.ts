import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuKernel, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { DType } from '../../tensor/dtype.js';
import { NEG_INF } from '../../wgsl/math.js';
import { probsTimesVProgram, scoresProgram, type ExtraBinding } from '../_wgsl/attention-core.js';
import { stageHeadsProgram } from '../_wgsl/ms-attention.js';
import { rotaryProgram } from '../_wgsl/rotary.js';
import { softmaxRowsProgram } from '../softmax/softmax.wgsl.js';
import { gqaDims, type GroupQueryAttention } from './ms-groupqueryattention.op.js';

// com.microsoft GroupQueryAttention on WebGPU: present_key / present_value built on the device from
// seqlens_k (batch b's S new rows at T_b − S, the past rows before them kept, zeros after), then
// scores with the causal / window / length mask and attention_bias, softmax, P·V
// (_wgsl/attention-core.ts). A shader cannot raise the CPU kernel's error for a seqlens_k that does
// not fit the cache, so the new rows' start is clamped into it; a constant seqlens_k is checked
// here and falls back. do_rotary rotates Q and the new K first (_wgsl/rotary.ts, a packed input
// staged head-major for it); smooth_softmax / head_sink add a logit to the softmax's denominator.

interface PresentSpec {
  batch: number; kvHeads: number; seq: number; presentLen: number; pastLen: number; headDim: number;
  /** New row (b, t, h, e) is at b·sB + t·sT + h·sH + e + offset of `src`. */
  src: BufferRef; strides: [sB: number, sT: number, sH: number, offset: number];
  past?: number; out: BufferRef; outDtype: DType;
}

function presentProgram(s: PresentSpec): Program {
  const size = s.batch * s.kvHeads * s.presentLen * s.headDim;
  const u = new Uniforms().add('dims', 'u32', [s.kvHeads, s.presentLen, s.headDim, s.pastLen, s.seq, size]).add('st', 'u32', s.strides);
  const [NKV, T, D, P, S, SIZE] = [0, 1, 2, 3, 4, 5].map((i) => u.at('dims', i));
  const [SB, ST, SH, OFF] = [0, 1, 2, 3].map((i) => u.at('st', i));
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
      x = SRC[b * ${SB} + (t - start) * ${ST} + h * ${SH} + e + ${OFF}];
    } else if (t < min(start, ${P})) {
      ${s.past !== undefined ? `x = PAST[(bh * ${P} + t) * ${D} + e];` : ''}
    }
    OUT[gi] = ${narrow('x', s.outDtype)};`;
  return {
    key: `gqa-present:${s.past !== undefined}:${s.outDtype}`,
    source: () => `${names.map((n, i) => storage(i, n, n === 'SL' ? 'i32' : 'f32', n === 'OUT' ? 'read_write' : 'read')).join('')}${u.declare(names.length)}${linearMain(body)}`,
    bindings: [s.src, { input: 5 }, ...(s.past !== undefined ? [{ input: s.past }] : []), s.out], uniforms: u, workgroups: linearDispatch(size),
  };
}

export const groupQueryAttentionWgsl: GpuKernel<typeof GroupQueryAttention.attrs> = (ins, a, outs) => {
  const d = gqaDims(ins, a);
  const { batch, seq, headDim: hd, pastLen, presentLen, totalLen, packed } = d;
  const [, , , pk, , seqlens, , cos, , posIds, ab, sink] = ins;
  const n = a.num_heads;
  const nkv = a.kv_num_heads;
  if (batch * n > 65535) return `${batch * n} (batch, head) pairs exceed one dispatch dimension`;
  if (seq === 0 || hd === 0 || presentLen === 0) return 'an empty sequence or head';
  const known = seqlens!.value?.toNumbers();
  if (known?.some((l) => l + 1 < seq || l + 1 > presentLen)) return 'a seqlens_k that does not fit the cache (the CPU kernel reports it)';
  const scratch: number[] = [];
  const programs: Program[] = [];
  const ref = (count: number): BufferRef => ({ scratch: scratch.push(count) - 1 });
  const dtype = outs[0]!.dtype;
  const stride = packed ? (n + 2 * nkv) * hd : nkv * hd;
  type Source = { ref: BufferRef; strides: [number, number, number, number] };
  /** Query-like rows (Q, new K) of `heads` heads at column `offset` of a token-major input. */
  const tokenMajor = (input: number, heads: number, offset: number): Source => ({ ref: { input }, strides: [seq * (packed ? stride : heads * hd), packed ? stride : heads * hd, hd, offset] });
  let q: Source = tokenMajor(0, n, 0);
  let k: Source = packed ? tokenMajor(0, nkv, n * hd) : tokenMajor(1, nkv, 0);
  const v: Source = packed ? tokenMajor(0, nkv, (n + nkv) * hd) : tokenMajor(2, nkv, 0);
  let qRank: 3 | 4 = 3;
  if (a.do_rotary) {
    // as the CPU kernel: position_ids (a first prompt reads only its first), else seqlens_k
    const positions = { input: posIds ? 9 : 5, kind: posIds ? (pastLen === 0 ? 'start' as const : 'table' as const) : 'seqlens' as const };
    const rotate = (src: Source, heads: number): Source => {
      // a packed input is staged head-major first: the rotary program reads whole contiguous heads
      let from = src.ref;
      if (packed) {
        from = ref(batch * heads * seq * hd);
        programs.push(stageHeadsProgram({ batch, heads, total: seq, dim: hd, pastLen: 0, src: src.ref, strides: src.strides, out: from, outDtype: 'float32' }));
      }
      const dst = ref(batch * heads * seq * hd);
      programs.push(rotaryProgram({
        batch, heads, seq, headSize: hd, half: cos!.shape[1]!, fourD: packed, interleaved: a.rotary_interleaved !== 0, x: 0, cos: 7, sin: 8, positions,
        cacheRows: cos!.shape[0]!, outDtype: 'float32', src: from, dst,
      }));
      return { ref: dst, strides: packed ? [heads * seq * hd, hd, seq * hd, 0] : [seq * heads * hd, heads * hd, hd, 0] };
    };
    q = rotate(q, n);
    k = rotate(k, nkv);
    if (packed) qRank = 4;
  } else if (packed) {
    // a packed query is staged head-major; a plain one is read in place
    const Qh = ref(batch * n * seq * hd);
    programs.push(stageHeadsProgram({ batch, heads: n, total: seq, dim: hd, pastLen: 0, src: q.ref, strides: q.strides, out: Qh, outDtype: 'float32' }));
    q = { ref: Qh, strides: [n * seq * hd, hd, seq * hd, 0] };
    qRank = 4;
  }
  const present = (which: 1 | 2, src: Source): BufferRef => {
    const out: BufferRef = outs[which] ? { output: which } : ref(batch * nkv * presentLen * hd);
    programs.push(presentProgram({
      batch, kvHeads: nkv, seq, presentLen, pastLen, headDim: hd, src: src.ref, strides: src.strides,
      ...(pk ? { past: which + 2 } : {}), out, outDtype: 'output' in out ? dtype : 'float32',
    }));
    return out;
  };
  const K = present(1, k);
  const V = present(2, v);
  const Q = q.ref;
  const heads = { batch, qHeads: n, kvHeads: nkv, qLen: seq, total: presentLen, headDim: hd, vHeadDim: hd, pastLen };
  const rows = batch * n * seq;
  const S: BufferRef = { scratch: scratch.push(rows * presentLen) - 1 };
  const P: BufferRef = { scratch: scratch.push(rows * presentLen) - 1 };
  const extra: ExtraBinding[] = [{ name: 'SL', type: 'i32', ref: { input: 5 } }, ...(ab ? [{ name: 'AB', type: 'f32', ref: { input: 10 } }] : [])];
  programs.push(scoresProgram({
    key: `gqa:${a.causal !== 0}:${a.local_window_size > 0}:${!!ab}`, d: heads, qRank, q: Q, k: K, s: S,
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
  const sinks = a.smooth_softmax || sink ? { sink: { heads: n, seq, ...(sink ? { values: { input: 11 } } : {}) } } : {};
  programs.push(softmaxRowsProgram({ rows, len: presentLen, inner: 1, log: false, outDtype: 'float32', input: S, output: P, zeroMaskedRows: true, ...sinks }));
  programs.push(probsTimesVProgram(heads, P, V, { output: 0 }, 3, dtype));
  return { programs, scratch };
};
