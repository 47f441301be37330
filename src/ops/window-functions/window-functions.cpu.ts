import { allocNumeric } from '../../tensor/dtype.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import { windowLength, type HannWindow } from './window-functions.op.js';

/** A kernel from w(x) with x = 2πn/N. */
function windowKernel(w: (x: number) => number): CpuKernel<typeof HannWindow.attrs> {
  return ([size], { periodic }, [out]) => {
    const n = windowLength(size!);
    const N = periodic ? n : n - 1;
    const y = allocNumeric(out!.dtype, n);
    for (let i = 0; i < n; i++) y[i] = w((2 * Math.PI * i) / N);
    return [numericResult(out!, y)];
  };
}

export const hannWindowCpu = windowKernel((x) => 0.5 - 0.5 * Math.cos(x));
export const hammingWindowCpu = windowKernel((x) => 25 / 46 - (21 / 46) * Math.cos(x));
export const blackmanWindowCpu = windowKernel((x) => 0.42 - 0.5 * Math.cos(x) + 0.08 * Math.cos(2 * x));
