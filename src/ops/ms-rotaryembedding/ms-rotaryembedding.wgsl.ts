import type { GpuKernel } from '../../devices/webgpu/program.js';
import { rotaryProgram } from '../_wgsl/rotary.js';
import { msRotaryDims, type MsRotaryEmbedding } from './ms-rotaryembedding.op.js';

// com.microsoft RotaryEmbedding (input, position_ids, cos_cache, sin_cache): position_ids [B, S],
// or [1] holding the first position.
export const msRotaryEmbeddingWgsl: GpuKernel<typeof MsRotaryEmbedding.attrs> = (ins, a, [out]) => {
  const [x, pos, cos] = ins;
  const d = msRotaryDims(ins, a);
  return {
    programs: [rotaryProgram({
      ...d, fourD: x!.shape.length === 4, interleaved: a.interleaved !== 0, x: 0, cos: 2, sin: 3,
      positions: { input: 1, kind: pos!.shape.length === 1 ? 'start' : 'table' }, cacheRows: cos!.shape[0]!, outDtype: out!.dtype,
    })],
  };
};
