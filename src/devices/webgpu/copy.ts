// The strided copy shader behind the data-movement ops: walk a region of `shape`, reading at
// srcBase + Σ c·srcStrides and writing at dstBase + Σ c·dstStrides. Transpose permutes the source
// strides, Slice offsets and scales them (negative steps included), Concat and Split place a
// part inside a larger tensor. A contiguous side uses the linear index directly.
import type { DType } from '../../tensor/dtype.js';
import { wgslType } from './dtype.js';
import type { BufferRef, Program } from './program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from './shader.js';

export interface StridedSide {
  base: number;
  /** Element strides per dim of the copied region; undefined means contiguous (row-major, base 0). */
  strides?: readonly number[];
}

export function copyProgram(
  dtype: DType, shape: readonly number[], src: StridedSide, dst: StridedSide, bindings: [BufferRef, BufferRef],
): Program {
  const rank = Math.max(1, shape.length);
  const dims = shape.length ? shape : [1];
  const size = dims.reduce((p, d) => p * d, 1);
  const t = wgslType(dtype);
  const u = new Uniforms().add('size', 'u32', size).add('shape', 'u32', dims).add('bases', 'i32', [src.base, dst.base]);
  if (src.strides) u.add('src', 'i32', src.strides.length ? src.strides : [0]);
  if (dst.strides) u.add('dst', 'i32', dst.strides.length ? dst.strides : [0]);
  const at = (field: string) => `u32(${u.at('bases', field === 'src' ? 0 : 1)} + ${Array.from({ length: rank }, (_, d) => `i32(c${d}) * ${u.at(field, d)}`).join(' + ')})`;
  const body = [
    `if (gi >= ${u.at('size')}) { return; }`,
    src.strides || dst.strides ? coordsOf(u, 'shape', rank, 'gi', 'c') : '',
    `Out[${dst.strides ? at('dst') : 'gi'}] = In[${src.strides ? at('src') : 'gi'}];`,
  ].filter(Boolean).join('\n    ');
  return {
    key: `copy:${t}:r${rank}:${src.strides ? 's' : 'c'}${dst.strides ? 's' : 'c'}`,
    source: () => `${storage(0, 'In', t, 'read')}${storage(1, 'Out', t, 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
    bindings, uniforms: u, workgroups: linearDispatch(size),
  };
}
