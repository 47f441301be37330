// The Winograd F(2×2, 3×3) executor of 3×3, stride-1, ungrouped convs (src/cpu/winograd.ts): a
// second candidate beside the conv executor's im2col + GEMM (conv.ts), the builder times both and
// keeps the faster (few input channels or tiny planes can favour im2col). Transformed weights are
// packed once at load; the epilogue is fused into the output transform.
import { packWinogradWeights, winogradApplies, winogradConv2d } from '../../cpu/winograd.js';
import type { ConvLayer } from '../network.js';
import { convShape } from './conv.js';
import { kernelEpilogue } from './epilogue.js';
import type { CpuCompiler } from './tactic.js';

export const WINOGRAD = 'winograd-f2x3';

export const cpuWinograd: CpuCompiler<ConvLayer> = (l, net, wasm) => {
  if (!wasm || net.tensors.get(l.input)!.shape.length !== 4) return [];
  const s = convShape(l, net);
  if (!winogradApplies(s)) return [];
  return [{
    name: WINOGRAD,
    scratchBytes: 0,
    prepare(env) {
      const k = env.mem.kernels;
      const packed = packWinogradWeights(k, l.weights, s.m, s.c);
      env.mem.hold(packed.block);
      const ep = kernelEpilogue(l.act, l.bias ? env.mem.put(l.bias) : undefined, l.residual ? env.at(l.residual) : undefined);
      const x = env.at(l.input);
      const y = env.at(l.output);
      return () => winogradConv2d(k, s, x, packed, y, ep);
    },
  }];
};
