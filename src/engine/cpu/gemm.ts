// Gemm (constant weights) and MatMul (two computed operands) layers on the CPU engine, on the
// kernels' packed GEMM with the epilogue fused. Gemm's weights are packed once at load (and the
// kernel API splits it over the thread pool). MatMul's operand permutations (attention's head
// transposes) and numpy batch broadcasting are strides of the GEMM's reads, never copies: each
// batch's A and B offsets are computed once at load, and its batches (or blocks of rows or
// columns) are dealt to the thread pool from call lists made at load (thread-units.ts).
import { gemm, packGemmB } from '../../cpu/kernel-api.js';
import { elementCount } from '../../tensor/shape.js';
import type { GemmLayer, MatmulLayer, Network } from '../network.js';
import { writeEpilogue, type Epilogue } from '../../cpu/epilogue.js';
import { splitRange } from '../../cpu/parallel.js';
import type { KernelCall } from '../../cpu/thread-pool.js';
import { kernelEpilogue } from './epilogue.js';
import type { CpuCompiler, CpuEnv } from './tactic.js';
import { dealUnits, gemmScratchBytes, layerThreads, rowUnits } from './thread-units.js';

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

/**
 * The epilogue descriptor for one GEMM call in the engine's own memory (persistent, unlike
 * writeEpilogue's, which lives in the per-call arena): 0 when there is nothing to fuse.
 */
function persistentEpilogue(env: CpuEnv, ep: Epilogue, colBias: number, residual: number): number {
  const k = env.mem.kernels;
  const mark = k.mark();
  const at = writeEpilogue(k, ep, 0, colBias, residual);
  let kept = 0;
  if (at !== 0) {
    kept = env.mem.alloc(EPILOGUE_BYTES);
    const ints = k.ints();
    ints.copyWithin(kept / 4, at / 4, at / 4 + EPILOGUE_BYTES / 4);
  }
  k.rewind(mark);
  return kept;
}

/** Bytes of an epilogue descriptor (src/cpu/epilogue.ts writes 8 words). */
const EPILOGUE_BYTES = 32;

export const cpuMatmul: CpuCompiler<MatmulLayer> = (l, net, wasm) => {
  if (!wasm) return [];
  const a = operand(net, l.a, l.aPerm);
  const b = operand(net, l.b, l.bPerm);
  const out = net.tensors.get(l.output)!.shape;
  const [m, kk] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const outBatch = out.slice(0, -2);
  const batches = elementCount(outBatch);
  const threads = layerThreads(batches * m * n * kk);
  // units: whole batches, or blocks of rows, or (few rows: a row vector's product) blocks of columns
  const byColumns = batches < threads && m < 4 * Math.ceil(threads / batches) && n >= 16;
  const units: [t: number, i0: number, mi: number, j0: number, nj: number][] = byColumns
    ? Array.from({ length: batches }, (_, t) => splitRange(n, Math.ceil(threads / batches), 8).map(([j0, nj]): [number, number, number, number, number] => [t, 0, m, j0, nj])).flat()
    : rowUnits(batches, m, threads).map(([t, i0, mi]) => [t, i0, mi, 0, n]);
  const perThread = gemmScratchBytes();
  return [{
    name: 'gemm-strided',
    scratchBytes: threads * perThread,
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
      // y = act(alpha·A·B + bias + residual): the kernel scales the product and fuses the rest
      const ep = kernelEpilogue(l.act, undefined, undefined);
      const rounds = dealUnits(units, threads, ([t, i0, mi, j0, nj], th): KernelCall[] => {
        const yAt = Y + (t * m * n + i0 * n + j0) * 4;
        const epAt = persistentEpilogue(env, ep, bias === undefined ? 0 : bias + j0 * 4, R === undefined ? 0 : R + (yAt - Y));
        return [['gemmEx', [
          mi, nj, kk, A + (aOff[t]! + i0 * ars) * 4, ars, acs, 0, B + (bOff[t]! + j0 * bcs) * 4, brs, bcs, 0, yAt, n, 0, l.alpha, env.scratch + th * perThread, epAt,
        ]]];
      });
      return () => {
        for (const r of rounds) k.run(r);
      };
    },
  }];
};
