// Conv's reference kernel computed in float32, Z added, the activation applied, one rounding to
// the output type at the end.
import { applyActivation, convActivation } from '../_kernels/fused-activation.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { convCpu } from '../conv/conv.cpu.js';
import type { CpuKernel } from '../op.js';
import { convPart, type FusedConv } from './ms-fusedconv.op.js';

export const fusedConvCpu: CpuKernel<typeof FusedConv.attrs> = ([x, w, b, z], attrs, [out]) => {
  const [conv] = convCpu([x, w, b], convPart(attrs), [{ dtype: 'float32', shape: out!.shape }]);
  const Y = conv!.data as Float32Array; // convCpu's own float32 buffer
  if (z) {
    const Z = f32Of(z);
    for (let i = 0; i < Y.length; i++) Y[i] = Y[i]! + Z[i]!;
  }
  applyActivation(Y, convActivation(attrs.activation, attrs.activation_params));
  return [floatResult(out!.dtype, out!.shape, Y)];
};
