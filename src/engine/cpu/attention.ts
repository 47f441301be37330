// The fused attention layer on the CPU engine: per batch, S = scale·Q·Kᵀ on the kernels' GEMM
// reading Q and Kᵀ through their strided views, the masks (scaled by their factors) and the causal
// limit added, softmax by rows, then O = outScale·S·V on the GEMM and O scattered into the output
// through its strides. S and O live in the engine's memory, reused by every batch.
import { elementCount } from '../../tensor/shape.js';
import { attentionDimsOf, type AttentionLayer } from '../layers/attention.js';
import type { TensorView } from '../layers/tensor-view.js';
import type { CpuCompiler, CpuEnv } from './tactic.js';

/** Float offset of every batch into a view whose leading axes are the batch axes. */
function batchOffsets(view: TensorView, batch: readonly number[]): number[] {
  const out: number[] = [];
  for (let t = 0; t < elementCount(batch); t++) {
    let rest = t;
    let off = 0;
    for (let k = batch.length - 1; k >= 0; k--) {
      off += (rest % batch[k]!) * view.strides[k]!;
      rest = Math.floor(rest / batch[k]!);
    }
    out.push(off);
  }
  return out;
}

export const cpuAttention: CpuCompiler<AttentionLayer> = (l, _net, wasm) => {
  if (!wasm) return [];
  const { batch, sq, d, sk, dv } = attentionDimsOf(l);
  const rank = batch.length + 2;
  if ([l.q, l.kt, l.v, ...l.masks.map((m) => m.view)].some((v) => v.shape.length !== rank) || l.outStrides.length !== rank) return [];
  return [{
    name: 'gemm-softmax-gemm',
    scratchBytes: 0,
    prepare(env: CpuEnv) {
      const k = env.mem.kernels;
      const base = (v: TensorView) => env.at(v.tensor) / 4;
      const Q = base(l.q);
      const KT = base(l.kt);
      const V = base(l.v);
      const Y = env.at(l.output) / 4;
      const masks = l.masks.map((m) => ({
        at: m.constant ? env.mem.put(m.constant) / 4 : base(m.view), factor: m.factor,
        offsets: batchOffsets(m.view, batch), rs: m.view.strides[rank - 2]!, cs: m.view.strides[rank - 1]!,
      }));
      const qOff = batchOffsets(l.q, batch);
      const kOff = batchOffsets(l.kt, batch);
      const vOff = batchOffsets(l.v, batch);
      const yOff = batchOffsets({ tensor: l.output, shape: [], strides: l.outStrides }, batch);
      const S = env.mem.alloc(sq * sk * 4);
      const O = env.mem.alloc(sq * dv * 4);
      const scratch = env.mem.alloc(k.k.gemmScratchFloats() * 4);
      const [qrs, qcs] = l.q.strides.slice(-2) as [number, number];
      const [krs, kcs] = l.kt.strides.slice(-2) as [number, number];
      const [vrs, vcs] = l.v.strides.slice(-2) as [number, number];
      const [yrs, ycs] = l.outStrides.slice(-2) as [number, number];
      const causal = l.causalOffset;
      return () => {
        for (let t = 0; t < qOff.length; t++) {
          k.k.gemmEx(sq, sk, d, (Q + qOff[t]!) * 4, qrs, qcs, 0, (KT + kOff[t]!) * 4, krs, kcs, 0, S, sk, 0, l.scale, scratch, 0);
          const f = env.mem.f32();
          const s = S / 4;
          for (const m of masks) {
            const mo = m.at + m.offsets[t]!;
            for (let i = 0; i < sq; i++) for (let j = 0; j < sk; j++) f[s + i * sk + j]! += m.factor * f[mo + i * m.rs + j * m.cs]!;
          }
          for (let i = 0; i < sq; i++) {
            const row = s + i * sk;
            const last = causal === undefined ? sk : Math.min(sk, i + causal + 1);
            let max = -Infinity;
            for (let j = 0; j < last; j++) if (f[row + j]! > max) max = f[row + j]!;
            let sum = 0;
            for (let j = 0; j < last; j++) sum += Math.exp(f[row + j]! - max);
            for (let j = 0; j < last; j++) f[row + j] = Math.exp(f[row + j]! - max) / sum;
            for (let j = last; j < sk; j++) f[row + j] = 0;
          }
          k.k.gemmEx(sq, dv, sk, S, sk, 1, 0, (V + vOff[t]!) * 4, vrs, vcs, 0, O, dv, 0, l.outScale, scratch, 0);
          const o = O / 4;
          const y = Y + yOff[t]!;
          const g = env.mem.f32();
          for (let i = 0; i < sq; i++) for (let j = 0; j < dv; j++) g[y + i * yrs + j * ycs] = g[o + i * dv + j]!;
        }
      };
    },
  }];
};
