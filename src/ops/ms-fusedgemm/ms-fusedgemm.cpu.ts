// Gemm's reference kernel in float32, then the activation, one rounding to the output type.
import { applyActivation, gemmActivation } from '../_kernels/fused-activation.js';
import { floatResult } from '../_kernels/float.js';
import { gemmCpu } from '../gemm/gemm.cpu.js';
import type { CpuKernel } from '../op.js';
import { gemmPart, type FusedGemm } from './ms-fusedgemm.op.js';

export const fusedGemmCpu: CpuKernel<typeof FusedGemm.attrs> = ([a, b, c], attrs, [out]) => {
  const [gemm] = gemmCpu([a, b, c], gemmPart(attrs), [{ dtype: 'float32', shape: out!.shape }]);
  const Y = gemm!.data as Float32Array; // gemmCpu's own float32 buffer
  applyActivation(Y, gemmActivation(attrs.activation, attrs.activation_alpha, attrs.activation_beta, attrs.activation_gamma));
  return [floatResult(out!.dtype, out!.shape, Y)];
};
