import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { DeformConv } from './deformconv.op.js';

/** X plane value at fractional (y, x), bilinear, pixels outside the plane read 0. */
function bilinear(v: Float32Array, base: number, h: number, w: number, y: number, x: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const ly = y - y0;
  const lx = x - x0;
  const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? v[base + yy * w + xx]! : 0);
  return (1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x0 + 1)) + ly * ((1 - lx) * at(y0 + 1, x0) + lx * at(y0 + 1, x0 + 1));
}

export const deformConvCpu: CpuKernel<typeof DeformConv.attrs> = ([x, w, offset, b, mask], a, [out]) => {
  const [n, c, h, wd] = x!.shape as [number, number, number, number];
  const [oc, icg, kh, kw] = w!.shape as [number, number, number, number];
  const [, , oh, ow] = out!.shape as [number, number, number, number];
  const [dh, dw] = a.dilations ?? [1, 1];
  const [sh, sw] = a.strides ?? [1, 1];
  const [ph, pw] = a.pads ?? [0, 0, 0, 0];
  const ocg = oc / a.group;
  const cPerOffset = c / a.offset_group;
  const xv = f32Of(x!);
  const wv = f32Of(w!);
  const off = f32Of(offset!);
  const mv = mask ? f32Of(mask) : undefined;
  const bv = b ? f32Of(b) : undefined;
  const y = new Float32Array(n * oc * oh * ow);
  const plane = oh * ow;
  for (let bi = 0; bi < n; bi++) {
    for (let ci = 0; ci < c; ci++) {
      const g = Math.floor(ci / icg);
      const og = Math.floor(ci / cPerOffset);
      const xBase = (bi * c + ci) * h * wd;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const tap = (og * kh + ki) * kw + kj;
          const offH = ((bi * a.offset_group * kh * kw + tap) * 2) * plane;
          const offW = offH + plane;
          const maskAt = (bi * a.offset_group * kh * kw + tap) * plane;
          for (let i = 0; i < oh; i++) {
            for (let j = 0; j < ow; j++) {
              const q = i * ow + j;
              const py = i * sh! - ph! + ki * dh! + off[offH + q]!;
              const px = j * sw! - pw! + kj * dw! + off[offW + q]!;
              const v = bilinear(xv, xBase, h, wd, py, px) * (mv ? mv[maskAt + q]! : 1);
              if (v === 0) continue;
              for (let o = g * ocg; o < (g + 1) * ocg; o++) y[(bi * oc + o) * plane + q] += v * wv[((o * icg + (ci - g * icg)) * kh + ki) * kw + kj]!;
            }
          }
        }
      }
    }
    if (bv) for (let o = 0; o < oc; o++) for (let q = 0; q < plane; q++) y[(bi * oc + o) * plane + q] += bv[o]!;
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
