import { normalizeAxis } from '../../tensor/shape.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { aroundAxis } from '../_kernels/axes.js';
import type { CpuKernel } from '../op.js';
import type { DFT } from './dft.op.js';
import { dft, inverseRealDft } from './transform.js';

export const dftCpu: CpuKernel<typeof DFT.attrs> = ([x, lengthIn, axisIn], { inverse, onesided }, [out]) => {
  const shape = x!.shape;
  const comps = shape.at(-1)!;
  const axis = normalizeAxis(axisIn ? axisIn.numeric()[0]! : -2, shape.length);
  const signalShape = shape.slice(0, -1);
  const { outer, n, inner } = aroundAxis(signalShape, axis);
  const outComps = out!.shape.at(-1)!;
  const bins = out!.shape[axis]!;
  const length = lengthIn ? lengthIn.numeric()[0]! : inverse && onesided ? 2 * (n - 1) : n;
  const v = f32Of(x!);
  const y = new Float32Array(outer * bins * inner * outComps);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      for (let t = 0; t < n; t++) {
        const at = ((o * n + t) * inner + k) * comps;
        re[t] = v[at]!;
        im[t] = comps === 2 ? v[at + 1]! : 0;
      }
      const put = (b: number, c: number, value: number) => (y[((o * bins + b) * inner + k) * outComps + c] = value);
      if (inverse && onesided) {
        inverseRealDft(re, im, length).forEach((value, b) => put(b, 0, value));
      } else {
        const [fr, fi] = dft(re, im, length, bins, inverse !== 0);
        for (let b = 0; b < bins; b++) {
          put(b, 0, fr[b]!);
          put(b, 1, fi[b]!);
        }
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
