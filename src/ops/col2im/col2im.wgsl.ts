import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { intsOf } from '../_kernels/axes.js';
import { col2imGeometry, type Col2Im } from './col2im.op.js';

// Written as a gather, so no two invocations add into one pixel: each output pixel walks the block
// offsets, and for each finds the block that put that offset on it (block position
// (pixel + pad − offset·dilation) / stride, when that divides evenly and lies inside the blocks),
// summing those columns' values.
export const col2ImWgsl: GpuKernel<typeof Col2Im.attrs> = ([, imageIn, blockIn], attrs, [out]) => {
  const g = col2imGeometry(intsOf(imageIn!.value!, 'image_shape'), intsOf(blockIn!.value!, 'block_shape'), attrs);
  const r = g.image.length;
  const pixels = elementCount(g.image);
  const size = elementCount(out!.shape);
  const u = new Uniforms().add('sizes', 'u32', [size, pixels, elementCount(g.block), elementCount(g.blocks)])
    .add('image', 'u32', g.image).add('block', 'u32', g.block).add('blocks', 'i32', g.blocks).add('blockStrides', 'i32', stridesOf(g.blocks))
    .add('strides', 'i32', g.strides).add('pads', 'i32', g.pads.slice(0, r)).add('dilations', 'i32', g.dilations);
  const [SIZE, PIXELS, K, L] = [0, 1, 2, 3].map((i) => u.at('sizes', i));
  const dims = Array.from({ length: r }, (_, d) => `{
        let q = i32(p${d}) + ${u.at('pads', d)} - i32(o${d}) * ${u.at('dilations', d)};
        let a = q / ${u.at('strides', d)};
        if (q < 0 || q % ${u.at('strides', d)} != 0 || a >= ${u.at('blocks', d)}) { inside = false; }
        b = b + a * ${u.at('blockStrides', d)};
      }`).join('');
  const body = `if (gi >= ${SIZE}) { return; }
    let pixel = gi % ${PIXELS};
    let plane = gi / ${PIXELS};
    ${coordsOf(u, 'image', r, 'pixel', 'p')}
    var acc = 0.0;
    for (var kk = 0u; kk < ${K}; kk = kk + 1u) {
      ${coordsOf(u, 'block', r, 'kk', 'o')}
      var inside = true;
      var b = 0;${dims}
      if (inside) { acc = acc + X[(plane * ${K} + kk) * ${L} + u32(b)]; }
    }
    Y[gi] = ${narrow('acc', out!.dtype)};`;
  return {
    programs: [{
      key: `col2im:${out!.dtype}:r${r}`,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
