import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { intsOf } from '../_kernels/axes.js';
import type { CpuKernel } from '../op.js';
import { col2imGeometry, type Col2Im } from './col2im.op.js';

/** Coordinates of flat index i in a row-major array of `shape`. */
function unravel(i: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return c;
}

export const col2ImCpu: CpuKernel<typeof Col2Im.attrs> = ([x, imageIn, blockIn], attrs, [out]) => {
  const g = col2imGeometry(intsOf(imageIn!, 'image_shape'), intsOf(blockIn!, 'block_shape'), attrs);
  const r = g.image.length;
  const [n, c] = out!.shape as [number, number];
  const k = sizeOf(g.block);
  const l = sizeOf(g.blocks);
  const pixels = sizeOf(g.image);
  const imStrides = stridesOf(g.image);
  const v = f32Of(x!);
  const y = new Float32Array(n * c * pixels);
  for (let kk = 0; kk < k; kk++) {
    const offset = unravel(kk, g.block);
    for (let b = 0; b < l; b++) {
      const at = unravel(b, g.blocks);
      let pixel = 0;
      let inside = true;
      for (let d = 0; d < r && inside; d++) {
        const p = at[d]! * g.strides[d]! - g.pads[d]! + offset[d]! * g.dilations[d]!;
        inside = p >= 0 && p < g.image[d]!;
        pixel += p * imStrides[d]!;
      }
      if (!inside) continue;
      for (let plane = 0; plane < n * c; plane++) y[plane * pixels + pixel] += v[(plane * k + kk) * l + b]!;
    }
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
