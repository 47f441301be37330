import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { CausalConvWithState } from './causalconvwithstate.op.js';

export const causalConvWithStateCpu: CpuKernel<typeof CausalConvWithState.attrs> = ([x, w, bias, past], a, outs) => {
  const [batch, channels, len] = x!.shape as [number, number, number];
  const k = w!.shape[2]!;
  const X = f32Of(x!);
  const W = f32Of(w!);
  const B = bias && f32Of(bias);
  const P = past && f32Of(past);
  const padLen = len + k - 1;
  const padded = new Float32Array(padLen);
  const y = new Float32Array(X.length);
  const state = new Float32Array(batch * channels * (k - 1));
  const silu = a.activation !== 'none';
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      const bc = b * channels + c;
      padded.fill(0, 0, k - 1);
      if (P) padded.set(P.subarray(bc * (k - 1), (bc + 1) * (k - 1)), 0);
      padded.set(X.subarray(bc * len, (bc + 1) * len), k - 1);
      for (let t = 0; t < len; t++) {
        let s = B ? B[c]! : 0;
        for (let j = 0; j < k; j++) s += W[c * k + j]! * padded[t + j]!;
        y[bc * len + t] = silu ? s / (1 + Math.exp(-s)) : s;
      }
      state.set(padded.subarray(padLen - (k - 1)), bc * (k - 1));
    }
  }
  const results = [floatResult(outs[0]!.dtype, outs[0]!.shape, y)];
  if (outs[1]) results.push(floatResult(outs[1].dtype, outs[1].shape, state));
  return results;
};
