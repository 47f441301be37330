// The fused attention layer on the CPU engine, on the thread pool. The work is cut into units of
// (batch, block of query rows); a unit is S = scale·Q·Kᵀ on the kernels' GEMM reading Q and Kᵀ
// through their strided views, the masks (scaled by their factors) added and softmax by rows with
// the causal limit (rows.ts kernels), then O = outScale·S·V on the GEMM written straight into the
// output through its strides (as Oᵀ = Vᵀ·Sᵀ when the output's rows are the contiguous axis). Units
// are dealt to the threads in turn (thread-units.ts), each thread with its own S and GEMM scratch
// in the engine's shared scratch; the lists of kernel calls are made once at load, so a run is a
// fork-join or two and nothing else.
import type { KernelCall } from '../../cpu/thread-pool.js';
import { elementCount } from '../../tensor/shape.js';
import { attentionDimsOf, type AttentionLayer } from '../layers/attention.js';
import type { TensorView } from '../layers/tensor-view.js';
import type { CpuCompiler, CpuEnv } from './tactic.js';
import { align64, dealUnits, gemmScratchBytes, layerThreads, rowUnits } from './thread-units.js';

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
  const batches = elementCount(batch);
  const threads = layerThreads(batches * sq * sk * (d + dv));
  const units = rowUnits(batches, sq, threads);
  const rowsMax = Math.max(...units.map((u) => u[2]));
  // per thread: S (rowsMax × sk) and the GEMM's packing scratch
  const sBytes = align64(rowsMax * sk * 4);
  const perThread = sBytes + gemmScratchBytes();
  return [{
    name: 'gemm-softmax-gemm',
    scratchBytes: threads * perThread,
    prepare(env: CpuEnv) {
      const w = env.mem.kernels;
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
      const [qrs, qcs] = l.q.strides.slice(-2) as [number, number];
      const [krs, kcs] = l.kt.strides.slice(-2) as [number, number];
      const [vrs, vcs] = l.v.strides.slice(-2) as [number, number];
      const [yrs, ycs] = l.outStrides.slice(-2) as [number, number];
      const S = (th: number) => env.scratch + th * perThread;
      const G = (th: number) => env.scratch + th * perThread + sBytes;
      // an output whose rows and columns are both strided goes through O, scattered after the run
      const scatter = ycs !== 1 && yrs !== 1;
      const O = scatter ? env.mem.alloc(batches * sq * dv * 4) : 0;
      const rounds = dealUnits(units, threads, ([t, i0, mi], th): KernelCall[] => {
        const s = S(th);
        const calls: KernelCall[] = [
          ['gemmEx', [mi, sk, d, (Q + qOff[t]! + i0 * qrs) * 4, qrs, qcs, 0, (KT + kOff[t]!) * 4, krs, kcs, 0, s, sk, 0, l.scale, G(th), 0]],
        ];
        for (const m of masks) calls.push(['addMaskRows', [s, mi, sk, (m.at + m.offsets[t]! + i0 * m.rs) * 4, m.rs, m.cs, m.factor]]);
        calls.push(l.causalOffset === undefined ? ['softmaxRows', [s, s, mi, sk, 0]] : ['softmaxRowsCausal', [s, mi, sk, l.causalOffset + i0]]);
        const y = (Y + yOff[t]! + i0 * yrs) * 4;
        const v = (V + vOff[t]!) * 4;
        if (scatter) calls.push(['gemmEx', [mi, dv, sk, s, sk, 1, 0, v, vrs, vcs, 0, O + (t * sq + i0) * dv * 4, dv, 0, l.outScale, G(th), 0]]);
        else if (ycs === 1) calls.push(['gemmEx', [mi, dv, sk, s, sk, 1, 0, v, vrs, vcs, 0, y, yrs, 0, l.outScale, G(th), 0]]);
        // Oᵀ[dv, mi] = Vᵀ · Sᵀ, written with the output's column stride as its row stride
        else calls.push(['gemmEx', [dv, mi, sk, v, vcs, vrs, 0, s, 1, sk, 0, y, ycs, 0, l.outScale, G(th), 0]]);
        return calls;
      });
      return () => {
        for (const r of rounds) w.run(r);
        if (!scatter) return;
        const f = env.mem.f32();
        const o = O / 4;
        for (let t = 0; t < batches; t++) {
          const y = Y + yOff[t]!;
          for (let i = 0; i < sq; i++) for (let j = 0; j < dv; j++) f[y + i * yrs + j * ycs] = f[o + (t * sq + i) * dv + j]!;
        }
      };
    },
  }];
};
