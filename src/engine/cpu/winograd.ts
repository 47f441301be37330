// The Winograd executors of 3×3, stride-1, ungrouped convs (src/cpu/winograd.ts), F(2×2, 3×3) and
// F(4×4, 3×3): candidates beside the conv executor's im2col + GEMM (conv.ts); the builder times
// them all and keeps the fastest (few input channels favour im2col, planes of 2 rows F(2×2)).
// Transformed weights are packed once at load; the epilogue is fused into the output transform.
import { packWinogradWeights, winogradApplies, winogradConv2d, type WinogradTile } from '../../cpu/winograd.js';
import type { ConvLayer } from '../network.js';
import { convShape } from './conv.js';
import { kernelEpilogue } from './epilogue.js';
import type { CpuCompiler, CpuTactic } from './tactic.js';

/** The executor names, by output tile size. */
export const WINOGRAD: Record<WinogradTile, string> = { 2: 'winograd-f2x3', 4: 'winograd-f4x3' };

export const cpuWinograd: CpuCompiler<ConvLayer> = (l, net, wasm) => {
  if (!wasm || net.tensors.get(l.input)!.shape.length !== 4) return [];
  const s = convShape(l, net);
  if (!winogradApplies(s)) return [];
  return ([2, 4] as const).map((tile): CpuTactic => ({
    name: WINOGRAD[tile],
    scratchBytes: 0,
    prepare(env) {
      const k = env.mem.kernels;
      const packed = packWinogradWeights(k, l.weights, s.m, s.c, tile);
      env.mem.hold(packed.block);
      const ep = kernelEpilogue(l.act, l.bias ? env.mem.put(l.bias) : undefined, l.residual ? env.at(l.residual) : undefined);
      const x = env.at(l.input);
      const y = env.at(l.output);
      return () => winogradConv2d(k, s, x, packed, y, ep);
    },
  }));
};
