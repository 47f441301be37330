import { ExecutionError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import type { CpuKernel } from '../op.js';
import type { EmbedLayerNormalization } from './ms-embedlayernorm.op.js';

export const embedLayerNormalizationCpu: CpuKernel<typeof EmbedLayerNormalization.attrs> = (ins, a, outs) => {
  const [ids, seg, word, pos, segEmb, gamma, beta, mask, posIds] = ins;
  const [batch, seq] = ids!.shape as [number, number];
  const h = word!.shape[1]!;
  const tables = [word!, pos!, segEmb].map((t) => t && { rows: t.shape[0]!, v: f32Of(t) });
  const I = ids!.numeric();
  const G = seg?.numeric();
  const P = posIds?.numeric();
  const gam = f32Of(gamma!);
  const bet = f32Of(beta!);
  const y = new Float32Array(batch * seq * h);
  const sum = new Float32Array(batch * seq * h);
  const row = (k: number, index: number, what: string) => {
    const t = tables[k]!;
    if (!Number.isInteger(index) || index < 0 || index >= t.rows) throw new ExecutionError(`${what} ${index} is outside the table's ${t.rows} rows`);
    return index * h;
  };
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const at = (b * seq + s) * h;
      const w = row(0, I[b * seq + s]!, 'input id');
      const p = row(1, P ? P[(posIds!.shape[0] === 1 ? 0 : b * seq) + s]! : s, 'position id');
      const g = G ? row(2, G[b * seq + s]!, 'segment id') : -1;
      let mean = 0;
      for (let j = 0; j < h; j++) {
        const e = tables[0]!.v[w + j]! + tables[1]!.v[p + j]! + (g >= 0 ? tables[2]!.v[g + j]! : 0);
        sum[at + j] = e;
        mean += e;
      }
      mean /= h;
      let sq = 0;
      for (let j = 0; j < h; j++) sq += (sum[at + j]! - mean) ** 2;
      const inv = 1 / Math.sqrt(sq / h + a.epsilon);
      for (let j = 0; j < h; j++) y[at + j] = (sum[at + j]! - mean) * inv * gam[j]! + bet[j]!;
    }
  }
  const results = [floatResult(outs[0]!.dtype, outs[0]!.shape, y)];
  if (outs[1]) {
    const M = mask?.numeric();
    const index = new Int32Array(batch);
    if (M) for (let b = 0; b < batch; b++) for (let s = 0; s < seq; s++) if (M[b * seq + s]) index[b] = index[b]! + 1;
    results.push(new Tensor('int32', outs[1].shape, index));
  }
  if (outs[2]) results.push(floatResult(outs[2].dtype, outs[2].shape, sum));
  return results;
};
