import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import { linearAttentionDims, type LinearAttention } from './linearattention.op.js';

export const linearAttentionCpu: CpuKernel<typeof LinearAttention.attrs> = (ins, a, outs) => {
  const [q, k, v, past, decay, beta] = ins;
  const { batch, len, dk, dv, decayPerDim, betaHeads } = linearAttentionDims(ins.map((t) => t && { dtype: t.dtype, shape: t.shape }), a);
  const hq = a.q_num_heads;
  const hkv = a.kv_num_heads;
  const group = hq / hkv;
  const Q = f32Of(q!);
  const K = f32Of(k!);
  const V = f32Of(v!);
  const G = decay && f32Of(decay);
  const Bt = beta && f32Of(beta);
  const S = past ? Float32Array.from(f32Of(past)) : new Float32Array(batch * hkv * dk * dv);
  const scale = a.scale || 1 / Math.sqrt(dk);
  const y = new Float32Array(batch * len * hq * dv);
  const vt = new Float32Array(dv);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < len; t++) {
      const bt = b * len + t;
      for (let h = 0; h < hkv; h++) {
        const s = (b * hkv + h) * dk * dv; // S[b, h] is d_k rows of d_v
        const kAt = (bt * hkv + h) * dk;
        if (G) {
          for (let i = 0; i < dk; i++) {
            const g = Math.exp(decayPerDim ? G[(bt * hkv + h) * dk + i]! : G[bt * hkv + h]!);
            for (let m = 0; m < dv; m++) S[s + i * dv + m] = S[s + i * dv + m]! * g;
          }
        }
        for (let m = 0; m < dv; m++) vt[m] = V[(bt * hkv + h) * dv + m]!;
        if (Bt) {
          const beta = Bt[bt * betaHeads + (betaHeads === 1 ? 0 : h)]!;
          for (let m = 0; m < dv; m++) {
            let read = 0;
            for (let i = 0; i < dk; i++) read += S[s + i * dv + m]! * K[kAt + i]!;
            vt[m] = beta * (vt[m]! - read);
          }
        }
        for (let i = 0; i < dk; i++) {
          for (let m = 0; m < dv; m++) S[s + i * dv + m] = S[s + i * dv + m]! + K[kAt + i]! * vt[m]!;
        }
        for (let g = 0; g < group; g++) {
          const qh = h * group + g;
          const qAt = (bt * hq + qh) * dk;
          for (let m = 0; m < dv; m++) {
            let o = 0;
            for (let i = 0; i < dk; i++) o += Q[qAt + i]! * S[s + i * dv + m]!;
            y[(bt * hq + qh) * dv + m] = scale * o;
          }
        }
      }
    }
  }
  const results = [floatResult(outs[0]!.dtype, outs[0]!.shape, y)];
  if (outs[1]) results.push(floatResult(outs[1].dtype, outs[1].shape, S));
  return results;
};
