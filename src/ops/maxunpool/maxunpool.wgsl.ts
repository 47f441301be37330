import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel, Program } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { unpooledShape, type MaxUnpool } from './maxunpool.op.js';

// Two dispatches: zeros, then one invocation per X element writing it where its index (a flat
// position in the unpooled shape) lands in the output (the unpooled array placed at the start of
// output_shape). Indices from MaxPool repeat only where windows overlap, and then carry the same
// value, so the order of those writes does not matter. An index outside the unpooled size is skipped.
export const maxUnpoolWgsl: GpuKernel<typeof MaxUnpool.attrs> = ([x], { kernel_shape, pads, strides }, [out]) => {
  const r = kernel_shape.length;
  const inferred = unpooledShape(x!.shape, kernel_shape, strides ?? kernel_shape.map(() => 1), pads ?? new Array<number>(2 * r).fill(0));
  const outSize = elementCount(out!.shape);
  const count = elementCount(x!.shape);
  const zeros = new Uniforms().add('size', 'u32', outSize);
  const clear: Program = {
    key: 'maxunpool:zeros',
    source: () => `${storage(0, 'Y', 'f32', 'read_write')}${zeros.declare(1)}\n${linearMain(`if (gi >= ${zeros.at('size')}) { return; }\n    Y[gi] = 0.0;`)}`,
    bindings: [{ output: 0 }], uniforms: zeros, workgroups: linearDispatch(outSize),
  };
  const u = new Uniforms().add('sizes', 'u32', [count, elementCount(inferred)]).add('unpooled', 'u32', inferred).add('outStrides', 'u32', stridesOf(out!.shape));
  const rank = inferred.length;
  const body = `if (gi >= ${u.at('sizes', 0)}) { return; }
    let p = I[gi];
    if (p < 0 || u32(p) >= ${u.at('sizes', 1)}) { return; }
    let flat = u32(p);
    ${coordsOf(u, 'unpooled', rank, 'flat', 'c')}
    Y[${Array.from({ length: rank }, (_, d) => `c${d} * ${u.at('outStrides', d)}`).join(' + ')}] = ${narrow('X[gi]', out!.dtype)};`;
  const scatter: Program = {
    key: `maxunpool:r${rank}:${out!.dtype}`,
    source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'I', 'i32', 'read')}${storage(2, 'Y', 'f32', 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
    bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(count),
  };
  return { programs: [clear, scatter] };
};
