import type { GpuKernel } from '../../devices/webgpu/program.js';
import { rotaryProgram } from '../_wgsl/rotary.js';
import { rotaryDims, type RotaryEmbedding } from './rotaryembedding.op.js';

// ONNX RotaryEmbedding: caches indexed by position_ids when given, else by (batch, seq).
export const rotaryEmbeddingWgsl: GpuKernel<typeof RotaryEmbedding.attrs> = ([x, cos, sin, pos], a, [out]) => {
  const d = rotaryDims([x!.shape, cos!.shape, sin!.shape, pos?.shape], a);
  return {
    programs: [rotaryProgram({
      ...d, fourD: x!.shape.length === 4, interleaved: a.interleaved !== 0, x: 0, cos: 1, sin: 2,
      positions: pos ? { input: 3, kind: 'table' } : undefined, cacheRows: pos ? cos!.shape[0]! : d.batch * d.seq, outDtype: out!.dtype,
    })],
  };
};
