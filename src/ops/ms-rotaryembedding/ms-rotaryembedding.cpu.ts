import { ExecutionError } from '../../errors.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { rotateHead } from '../_kernels/rotary.js';
import type { CpuKernel } from '../op.js';
import { msRotaryDims, type MsRotaryEmbedding } from './ms-rotaryembedding.op.js';

export const msRotaryEmbeddingCpu: CpuKernel<typeof MsRotaryEmbedding.attrs> = (ins, a, [out]) => {
  const [x, pos, cos, sin] = ins;
  const d = msRotaryDims(ins.map((t) => t && { dtype: t.dtype, shape: t.shape }), a);
  const y = Float32Array.from(f32Of(x!));
  const C = f32Of(cos!);
  const S = f32Of(sin!);
  const P = pos!.numeric();
  const rows = cos!.shape[0]!;
  const fourD = x!.rank === 4;
  for (let b = 0; b < d.batch; b++) {
    for (let s = 0; s < d.seq; s++) {
      const p = pos!.rank === 1 ? P[0]! + s : P[b * d.seq + s]!;
      if (!Number.isInteger(p) || p < 0 || p >= rows) throw new ExecutionError(`position ${p} is outside the caches' ${rows} rows`);
      for (let h = 0; h < d.heads; h++) {
        const at = fourD ? ((b * d.heads + h) * d.seq + s) * d.headSize : ((b * d.seq + s) * d.heads + h) * d.headSize;
        rotateHead(y, at, d.half, a.interleaved !== 0, C, S, p * d.half);
      }
    }
  }
  return [floatResult(out!.dtype, out!.shape, y)];
};
