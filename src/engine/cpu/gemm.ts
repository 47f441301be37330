// Gemm (constant weights) and MatMul (two computed operands) layers on the CPU engine, on the
// WebAssembly packed GEMM with their fused epilogue. Operand permutations (attention's head
// transposes) and numpy batch broadcasting are strides of the GEMM's reads, never copies: each
// batch's A and B offsets are computed once at load.
import { elementCount } from '../../tensor/shape.js';
import type { GemmLayer, MatmulLayer, Network } from '../network.js';
import { applyActivation, prefill } from './epilogue.js';
import type { CpuCompiler } from './tactic.js';

export const cpuGemm: CpuCompiler<GemmLayer> = (l, net, wasm) => {
  if (!wasm) return [];
  const xs = net.tensors.get(l.input)!.shape;
  const m = elementCount(xs) / l.k;
  return [{
    name: 'gemm',
    scratchBytes: 0,
    prepare(env) {
      const { k } = env.mem;
      const W = env.mem.put(l.weights);
      const X = env.at(l.input);
      const Y = env.at(l.output);
      const R = l.residual ? env.at(l.residual) : undefined;
      const scratch = env.mem.gemmScratch();
      const { n } = l;
      return () => {
        prefill(env.mem.f32(), Y / 4, m, n, l.bias, false, R === undefined ? undefined : R / 4);
        k.gemm(m, n, l.k, X, l.k, 1, W, n, 1, Y, n, 1, 1, scratch);
        applyActivation(env.mem.f32(), Y / 4, Y / 4 + m * n, l.act);
      };
    },
  }];
};

/** An operand as the GEMM reads it: its (permuted) shape and the source strides of each axis, in floats. */
function operand(net: Network, src: string, perm: number[] | undefined): { shape: number[]; strides: number[] } {
  const s = net.tensors.get(src)!.shape;
  const strides = s.map((_, k) => elementCount(s.slice(k + 1)));
  const p = perm ?? s.map((_, k) => k);
  return { shape: p.map((a) => s[a]!), strides: p.map((a) => strides[a]!) };
}

/** Float offset of each output batch into an operand (broadcast axes move by 0). */
function batchOffsets(outBatch: readonly number[], op: { shape: number[]; strides: number[] }): number[] {
  const rank = op.shape.length - 2;
  const lead = outBatch.length - rank;
  const total = elementCount(outBatch);
  const offsets: number[] = [];
  for (let t = 0; t < total; t++) {
    let rest = t;
    let off = 0;
    for (let k = outBatch.length - 1; k >= 0; k--) {
      const i = rest % outBatch[k]!;
      rest = Math.floor(rest / outBatch[k]!);
      const a = k - lead;
      if (a >= 0 && op.shape[a] !== 1) off += i * op.strides[a]!;
    }
    offsets.push(off);
  }
  return offsets;
}

export const cpuMatmul: CpuCompiler<MatmulLayer> = (l, net, wasm) => {
  if (!wasm) return [];
  const a = operand(net, l.a, l.aPerm);
  const b = operand(net, l.b, l.bPerm);
  const out = net.tensors.get(l.output)!.shape;
  const [m, kk] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const outBatch = out.slice(0, -2);
  return [{
    name: 'gemm-strided',
    scratchBytes: 0,
    prepare(env) {
      const { k } = env.mem;
      const A = env.at(l.a);
      const B = env.at(l.b);
      const Y = env.at(l.output);
      const R = l.residual ? env.at(l.residual) : undefined;
      const scratch = env.mem.gemmScratch();
      const aOff = batchOffsets(outBatch, a);
      const bOff = batchOffsets(outBatch, b);
      const [ars, acs] = a.strides.slice(-2) as [number, number];
      const [brs, bcs] = b.strides.slice(-2) as [number, number];
      const batches = aOff.length;
      return () => {
        prefill(env.mem.f32(), Y / 4, batches * m, n, l.bias, false, R === undefined ? undefined : R / 4);
        for (let t = 0; t < batches; t++) {
          k.gemm(m, n, kk, A + aOff[t]! * 4, ars, acs, B + bOff[t]! * 4, brs, bcs, Y + t * m * n * 4, n, 1, l.alpha, scratch);
        }
        applyActivation(env.mem.f32(), Y / 4, Y / 4 + batches * m * n, l.act);
      };
    },
  }];
};
