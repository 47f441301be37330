import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { GridSample } from './gridsample.op.js';
import { denormalize, pixelIndex, reflect, roundHalfEven, taps, type Tap } from './sampling.js';

export const gridSampleCpu: CpuKernel<typeof GridSample.attrs> = ([x, grid], a, [out]) => {
  const mode = a.mode === 'bilinear' ? 'linear' : a.mode === 'bicubic' ? 'cubic' : a.mode;
  const align = a.align_corners !== 0;
  const [batch, channels, ...dims] = x!.shape as [number, number, ...number[]];
  const r = dims.length;
  const pixels = sizeOf(dims);
  const strides = stridesOf(dims);
  const points = sizeOf(out!.shape.slice(2));
  const xv = f32Of(x!);
  const gv = f32Of(grid!);
  const y = new Float32Array(batch * channels * points);
  // the range a coordinate may take before padding applies: pixel edges, or centres with align_corners
  const lo = align ? 0 : -0.5;
  const his = dims.map((n) => (align ? n - 1 : n - 0.5));
  const perDim: Tap[][] = new Array(r);
  for (let n = 0; n < batch; n++) {
    for (let p = 0; p < points; p++) {
      for (let d = 0; d < r; d++) {
        // grid coordinates list the last spatial dim first
        let c = denormalize(gv[(n * points + p) * r + (r - 1 - d)]!, dims[d]!, align);
        if (mode === 'nearest') c = roundHalfEven(c);
        // cubic bounds each tap instead (PyTorch's and onnxruntime's bicubic; the ONNX reference
        // clamps the coordinate first, which only differs for border/reflection near the edges)
        if (mode !== 'cubic' && (c < lo || c > his[d]!)) {
          if (a.padding_mode === 'border') c = Math.min(Math.max(c, 0), dims[d]! - 1);
          else if (a.padding_mode === 'reflection') c = reflect(c, lo, his[d]!);
        }
        perDim[d] = taps(c, mode).map((t) => ({ index: pixelIndex(t.index, dims[d]!, a.padding_mode, lo, his[d]!), weight: t.weight }));
      }
      // the product of the per-dim taps: every corner of the interpolation cell
      const corners: { offset: number; weight: number }[] = [{ offset: 0, weight: 1 }];
      for (let d = 0; d < r; d++) {
        const next: { offset: number; weight: number }[] = [];
        for (const c of corners) {
          for (const t of perDim[d]!) next.push({ offset: t.index < 0 || c.offset < 0 ? -1 : c.offset + t.index * strides[d]!, weight: c.weight * t.weight });
        }
        corners.splice(0, corners.length, ...next);
      }
      for (let ch = 0; ch < channels; ch++) {
        const base = (n * channels + ch) * pixels;
        let s = 0;
        for (const c of corners) if (c.offset >= 0) s += c.weight * xv[base + c.offset]!;
        y[(n * channels + ch) * points + p] = s;
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
