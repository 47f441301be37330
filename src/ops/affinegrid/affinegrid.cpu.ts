import { sizeOf } from '../../tensor/shape.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { AffineGrid } from './affinegrid.op.js';

/** Normalized coordinate of pixel i of n: pixel centres (align_corners=0) or the end pixels (1) at ±1. */
const normalized = (i: number, n: number, alignCorners: boolean) =>
  alignCorners ? (n > 1 ? -1 + (2 * i) / (n - 1) : -1) : -1 + (2 * i + 1) / n;

export const affineGridCpu: CpuKernel<typeof AffineGrid.attrs> = ([theta], { align_corners }, [out]) => {
  const [batch, ...spatial] = out!.shape.slice(0, -1) as [number, ...number[]];
  const r = spatial.length;
  const points = sizeOf(spatial);
  const t = f32Of(theta!);
  const y = new Float32Array(batch * points * r);
  const coord = new Array<number>(r + 1).fill(1);
  for (let p = 0; p < points; p++) {
    // the homogeneous point [x, y, (z,) 1]: x follows the last spatial dim
    let rest = p;
    for (let d = r - 1; d >= 0; d--) {
      coord[r - 1 - d] = normalized(rest % spatial[d]!, spatial[d]!, align_corners !== 0);
      rest = Math.floor(rest / spatial[d]!);
    }
    for (let n = 0; n < batch; n++) {
      for (let row = 0; row < r; row++) {
        let s = 0;
        for (let k = 0; k <= r; k++) s += t[(n * r + row) * (r + 1) + k]! * coord[k]!;
        y[(n * points + p) * r + row] = s;
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
