import { ExecutionError } from '../../errors.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { rotateHead } from '../_kernels/rotary.js';
import type { CpuKernel } from '../op.js';
import { rotaryDims, type RotaryEmbedding } from './rotaryembedding.op.js';

export const rotaryEmbeddingCpu: CpuKernel<typeof RotaryEmbedding.attrs> = ([x, cos, sin, pos], a, [out]) => {
  const d = rotaryDims([x!.shape, cos!.shape, sin!.shape, pos?.shape], a);
  const y = Float32Array.from(f32Of(x!));
  const c = f32Of(cos!);
  const s = f32Of(sin!);
  const ids = pos?.numeric();
  const rows = pos ? cos!.shape[0]! : 0;
  const fourD = x!.rank === 4;
  for (let b = 0; b < d.batch; b++) {
    for (let t = 0; t < d.seq; t++) {
      let row = b * d.seq + t;
      if (ids) {
        row = ids[row]!;
        if (!Number.isInteger(row) || row < 0 || row >= rows) throw new ExecutionError(`position id ${row} is outside the cache's ${rows} rows`);
      }
      for (let h = 0; h < d.heads; h++) {
        const at = fourD ? ((b * d.heads + h) * d.seq + t) * d.headSize : ((b * d.seq + t) * d.heads + h) * d.headSize;
        rotateHead(y, at, d.half, a.interleaved !== 0, c, s, row * d.half);
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
