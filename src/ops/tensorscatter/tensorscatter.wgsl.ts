import { wgslType } from '../../devices/webgpu/dtype.js';
import type { BufferRef, GpuKernel } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, normalizeAxis, stridesOf } from '../../tensor/shape.js';
import type { TensorScatter } from './tensorscatter.op.js';

// Written as a gather: output element c of batch b at cache position p along the axis takes
// update step i = p − write_indices[b] (modulo the cache length in 'circular' mode) when
// 0 ≤ i < the update's length, else past_cache's element. Positions never overlap, so this is
// exact; a linear write past the cache end (a CPU error) just leaves the cache unchanged there.
export const tensorScatterWgsl: GpuKernel<typeof TensorScatter.attrs> = ([cache, update, writeIndices], { axis, mode }) => {
  const shape = cache!.shape;
  const rank = shape.length;
  const a = normalizeAxis(axis, rank);
  const t = wgslType(cache!.dtype);
  const size = elementCount(shape);
  const ustrides = stridesOf(update!.shape);
  const u = new Uniforms().add('size', 'u32', size).add('shape', 'u32', shape).add('ustrides', 'u32', ustrides)
    .add('lens', 'i32', [shape[a]!, update!.shape[a]!]);
  const [MAX, LEN] = [0, 1].map((i) => u.at('lens', i));
  const bindings: BufferRef[] = [{ input: 0 }, { input: 1 }];
  let decl = `${storage(0, 'X', t, 'read')}${storage(1, 'U', t, 'read')}`;
  if (writeIndices) { decl += storage(2, 'W', 'i32', 'read'); bindings.push({ input: 2 }); }
  decl += storage(bindings.length, 'Y', t, 'read_write');
  bindings.push({ output: 0 });
  const beside = Array.from({ length: rank }, (_, d) => d).filter((d) => d !== a).map((d) => `c${d} * ${u.at('ustrides', d)}`).join(' + ');
  const step = mode === 'circular' ? `((i32(c${a}) - start) % ${MAX} + ${MAX}) % ${MAX}` : `i32(c${a}) - start`;
  const body = `if (gi >= ${u.at('size')}) { return; }
    ${coordsOf(u, 'shape', rank, 'gi', 'c')}
    let start = ${writeIndices ? 'W[c0]' : '0'};
    let i = ${step};
    if (i >= 0 && i < ${LEN}) {
      Y[gi] = U[${beside} + u32(i) * ${u.at('ustrides', a)}];
    } else {
      Y[gi] = X[gi];
    }`;
  return {
    programs: [{
      key: `tensorscatter:${t}:r${rank}:a${a}:${mode}:${writeIndices ? 'w' : '-'}`,
      source: () => `${decl}${u.declare(bindings.length)}\n${linearMain(body)}`,
      bindings, uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
