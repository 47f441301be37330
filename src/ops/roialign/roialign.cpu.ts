import { ShapeError } from '../../errors.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { RoiAlign } from './roialign.op.js';

interface Sample { pos: [number, number, number, number]; w: [number, number, number, number] }

/** The four neighbours and bilinear weights of point (y, x); all-zero weights outside [-1, size]. */
function bilinearSample(y: number, x: number, h: number, w: number): Sample {
  if (y < -1 || y > h || x < -1 || x > w) return { pos: [0, 0, 0, 0], w: [0, 0, 0, 0] };
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let y0 = Math.floor(y);
  let x0 = Math.floor(x);
  let y1 = y0 + 1;
  let x1 = x0 + 1;
  if (y0 >= h - 1) y = y0 = y1 = h - 1;
  if (x0 >= w - 1) x = x0 = x1 = w - 1;
  const ly = y - y0;
  const lx = x - x0;
  return {
    pos: [y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1],
    w: [(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx],
  };
}

export const roiAlignCpu: CpuKernel<typeof RoiAlign.attrs> = ([x, rois, batchIndices], a, [out]) => {
  const [batch, channels, h, w] = x!.shape as [number, number, number, number];
  const [nRois, , ph, pw] = out!.shape as [number, number, number, number];
  const xv = f32Of(x!);
  const rv = f32Of(rois!);
  const bi = batchIndices!.numeric();
  const y = new Float32Array(nRois * channels * ph * pw);
  const halfPixel = a.coordinate_transformation_mode === 'half_pixel';
  const shift = halfPixel ? 0.5 : 0;
  for (let r = 0; r < nRois; r++) {
    const b = bi[r]!;
    if (!(b >= 0 && b < batch)) throw new ShapeError(`batch_indices[${r}] = ${b} is out of range for batch ${batch}`);
    // ROI geometry in float32 arithmetic, as onnxruntime and the reference compute it: the
    // adaptive sample count ceil(size / bins) can change with the last bit (4.00000006 vs 4)
    const f = Math.fround;
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => f(f(rv[r * 4 + k]! * f(a.spatial_scale)) - shift)) as [number, number, number, number];
    const roiW = halfPixel ? f(x2 - x1) : Math.max(f(x2 - x1), 1);
    const roiH = halfPixel ? f(y2 - y1) : Math.max(f(y2 - y1), 1);
    const binH = f(roiH / ph);
    const binW = f(roiW / pw);
    const gridH = a.sampling_ratio > 0 ? a.sampling_ratio : Math.ceil(binH);
    const gridW = a.sampling_ratio > 0 ? a.sampling_ratio : Math.ceil(binW);
    const count = Math.max(gridH * gridW, 1);
    for (let oy = 0; oy < ph; oy++) {
      for (let ox = 0; ox < pw; ox++) {
        const samples: Sample[] = [];
        for (let iy = 0; iy < gridH; iy++) {
          const sy = y1 + oy * binH + ((iy + 0.5) * binH) / gridH;
          for (let ix = 0; ix < gridW; ix++) samples.push(bilinearSample(sy, x1 + ox * binW + ((ix + 0.5) * binW) / gridW, h, w));
        }
        for (let c = 0; c < channels; c++) {
          const base = (b * channels + c) * h * w;
          let acc = a.mode === 'avg' ? 0 : -Infinity;
          for (const s of samples) {
            if (a.mode === 'avg') {
              for (let k = 0; k < 4; k++) acc += s.w[k]! * xv[base + s.pos[k]!]!;
            } else {
              // max mode takes the largest weighted neighbour (onnxruntime's definition)
              for (let k = 0; k < 4; k++) acc = Math.max(acc, s.w[k]! * xv[base + s.pos[k]!]!);
            }
          }
          y[((r * channels + c) * ph + oy) * pw + ox] = a.mode === 'avg' ? acc / count : samples.length ? acc : 0;
        }
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
