import { f32Of, floatResult } from '../_kernels/float.js';
import { dft } from '../dft/transform.js';
import type { CpuKernel } from '../op.js';
import type { STFT } from './stft.op.js';

export const stftCpu: CpuKernel<typeof STFT.attrs> = ([signal, stepIn, window, lengthIn], _attrs, [out]) => {
  const [batch, len, comps] = signal!.shape as [number, number, number];
  const [, frames, bins] = out!.shape as [number, number, number];
  const step = stepIn!.numeric()[0]!;
  const w = window ? f32Of(window) : undefined;
  const frameLength = lengthIn ? lengthIn.numeric()[0]! : w ? w.length : len;
  const v = f32Of(signal!);
  const y = new Float32Array(batch * frames * bins * 2);
  const re = new Float64Array(frameLength);
  const im = new Float64Array(frameLength);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < frames; f++) {
      for (let t = 0; t < frameLength; t++) {
        const at = (b * len + f * step + t) * comps;
        const weight = w ? w[t]! : 1;
        re[t] = v[at]! * weight;
        im[t] = comps === 2 ? v[at + 1]! * weight : 0;
      }
      const [fr, fi] = dft(re, im, frameLength, bins, false);
      for (let k = 0; k < bins; k++) {
        y[((b * frames + f) * bins + k) * 2] = fr[k]!;
        y[((b * frames + f) * bins + k) * 2 + 1] = fi[k]!;
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
