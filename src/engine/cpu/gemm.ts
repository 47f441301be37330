// Gemm (constant weights) and MatMul (two computed operands) layers on the CPU engine, on the
// kernels' packed GEMM with the epilogue fused. Gemm's weights are packed once at load. MatMul's
// operand permutations (attention's head transposes) and numpy batch broadcasting are strides of
// the GEMM's reads, never copies: each batch's A and B offsets are computed once at load.
import { gemm, packGemmB } from '../../cpu/kernel-api.js';
import { elementCount } from '../../tensor/shape.js';
import type { GemmLayer, MatmulLayer, Network } from '../network.js';
import { writeEpilogue } from '../../cpu/epilogue.js';
import { kernelEpilogue } from './epilogue.js';
import type { CpuCompiler } from './tactic.js';

export const cpuGemm: CpuCompiler<GemmLayer> = (l, net, wasm) => {
  if (!wasm) return [];
  const m = elementCount(net.tensors.get(l.input)!.shape) / l.k;
  return [{
    name: 'gemm-packed',
    scratchBytes: 0,
    prepare(env) {
      const k = env.mem.kernels;
      const b = packGemmB(k, l.weights, l.k, l.n);
      env.mem.hold(b.block);
      const ep = kernelEpilogue(l.act, l.bias ? env.mem.put(l.bias) : undefined, l.residual ? env.at(l.residual) : undefined);
      const x = env.at(l.input);
      const y = env.at(l.output);
      return () => gemm(k, m, l.n, l.k, x, b, y, { epilogue: ep });
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
  const lead = outBatch.length - (op.shape.length - 2);
  const offsets: number[] = [];
  for (let t = 0; t < elementCount(outBatch); t++) {
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
      const k = env.mem.kernels;
      const A = env.at(l.a);
      const B = env.at(l.b);
      const Y = env.at(l.output);
      const R = l.residual ? env.at(l.residual) : undefined;
      const bias = l.bias ? env.mem.put(l.bias) : undefined;
      const aOff = batchOffsets(outBatch, a);
      const bOff = batchOffsets(outBatch, b);
      const [ars, acs] = a.strides.slice(-2) as [number, number];
      const [brs, bcs] = b.strides.slice(-2) as [number, number];
      const batches = aOff.length;
      const scratch = env.mem.alloc(k.k.gemmScratchFloats() * 4);
      // y = act(alpha·A·B + bias + residual): the kernel scales the product and fuses the rest
      const ep = kernelEpilogue(l.act, undefined, undefined);
      return () => {
        for (let t = 0; t < batches; t++) {
          const mark = k.mark();
          const epAt = writeEpilogue(k, ep, 0, bias ?? 0, R === undefined ? 0 : R + t * m * n * 4);
          k.k.gemmEx(m, n, kk, A + aOff[t]! * 4, ars, acs, 0, B + bOff[t]! * 4, brs, bcs, 0, Y + t * m * n * 4, n, 0, l.alpha, scratch, epAt);
          k.rewind(mark);
        }
      };
    },
  }];
};
