import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { linearAttentionDims, type LinearAttention } from './linearattention.op.js';

// LinearAttention on WebGPU. Every step of the recurrence touches column m of a kv head's state
// S[b, h] (d_k rows of d_v) on its own: the decay scales rows, the delta read is Sᵀk's entry m,
// the update adds k·v_t[m], the output is qᵀS's entry m. So one invocation per (b, kv head, m)
// walks the T steps, holding its column in the state buffer (present_state, or scratch), and
// writes entry m of every query head of its group. The state stays f32 until the last write.
export const linearAttentionWgsl: GpuKernel<typeof LinearAttention.attrs> = (ins, a, outs) => {
  const [, , , past, decay, beta] = ins;
  const { batch, len, dk, dv, decayPerDim, betaHeads } = linearAttentionDims(ins, a);
  const hq = a.q_num_heads;
  const hkv = a.kv_num_heads;
  const columns = batch * hkv * dv;
  if (columns === 0 || outs[0]!.shape.reduce((p, d) => p * d, 1) === 0) return 'an empty output';
  const stateSize = batch * hkv * dk * dv;
  const narrowState = outs[1] && outs[1].dtype !== 'float32';
  const scratch: number[] = [];
  // a float16 present_state is rounded once at the end, so the recurrence runs in an f32 scratch
  const state: BufferRef = outs[1] && !narrowState ? { output: 1 } : { scratch: scratch.push(stateSize) - 1 };
  const u = new Uniforms()
    .add('dims', 'u32', [columns, len, dk, dv, hq, hkv, hq / hkv, betaHeads])
    .add('scale', 'f32', a.scale || 1 / Math.sqrt(dk));
  const [COLS, LEN, DK, DV, HQ, HKV, GROUP, BH] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u.at('dims', i));
  const names = ['Q', 'K', 'V', ...(past ? ['P'] : []), ...(decay ? ['G'] : []), ...(beta ? ['Bt'] : []), 'Y', 'S', ...(narrowState ? ['SO'] : [])];
  const bindings: BufferRef[] = [{ input: 0 }, { input: 1 }, { input: 2 }, ...(past ? [{ input: 3 }] : []), ...(decay ? [{ input: 4 }] : []),
    ...(beta ? [{ input: 5 }] : []), { output: 0 }, state, ...(narrowState ? [{ output: 1 }] : [])];
  const decayAt = decayPerDim ? `(bt * ${HKV} + h) * ${DK} + i` : `bt * ${HKV} + h`;
  const body = `if (gi >= ${COLS}) { return; }
    let m = gi % ${DV};
    let bh = gi / ${DV};
    let h = bh % ${HKV};
    let b = bh / ${HKV};
    let s0 = bh * ${DK} * ${DV} + m;
    for (var i = 0u; i < ${DK}; i = i + 1u) { S[s0 + i * ${DV}] = ${past ? `P[s0 + i * ${DV}]` : '0.0'}; }
    for (var t = 0u; t < ${LEN}; t = t + 1u) {
      let bt = b * ${LEN} + t;
      let kAt = (bt * ${HKV} + h) * ${DK};
      ${decay ? `for (var i = 0u; i < ${DK}; i = i + 1u) { S[s0 + i * ${DV}] = S[s0 + i * ${DV}] * exp(G[${decayAt}]); }` : ''}
      var vt = V[(bt * ${HKV} + h) * ${DV} + m];
      ${beta ? `var read = 0.0;
      for (var i = 0u; i < ${DK}; i = i + 1u) { read = read + S[s0 + i * ${DV}] * K[kAt + i]; }
      vt = Bt[bt * ${BH} + select(h, 0u, ${BH} == 1u)] * (vt - read);` : ''}
      for (var i = 0u; i < ${DK}; i = i + 1u) { S[s0 + i * ${DV}] = S[s0 + i * ${DV}] + K[kAt + i] * vt; }
      for (var g = 0u; g < ${GROUP}; g = g + 1u) {
        let qAt = (bt * ${HQ} + h * ${GROUP} + g) * ${DK};
        var o = 0.0;
        for (var i = 0u; i < ${DK}; i = i + 1u) { o = o + Q[qAt + i] * S[s0 + i * ${DV}]; }
        let y = ${u.at('scale')} * o;
        Y[(bt * ${HQ} + h * ${GROUP} + g) * ${DV} + m] = ${narrow('y', outs[0]!.dtype)};
      }
    }
    ${narrowState ? `for (var i = 0u; i < ${DK}; i = i + 1u) { SO[s0 + i * ${DV}] = ${narrow(`S[s0 + i * ${DV}]`, outs[1]!.dtype)}; }` : ''}`;
  return {
    programs: [{
      key: `linearattention:${!!past}:${decay ? (decayPerDim ? 'dim' : 'head') : '-'}:${!!beta}:${outs[0]!.dtype}:${narrowState ? outs[1]!.dtype : '-'}`,
      source: () => `${names.map((n, i) => storage(i, n, 'f32', n === 'Y' || n === 'S' || n === 'SO' ? 'read_write' : 'read')).join('')}${u.declare(names.length)}\n${linearMain(body)}`,
      bindings, uniforms: u, workgroups: linearDispatch(columns),
    }],
    scratch,
  };
};
