import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount } from '../../tensor/shape.js';
import type { LRN } from './lrn.op.js';

// One invocation per element of X [N, C, spatial…]: the sum of squares over its channel window
// c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉ (clipped to the channels), then x / (bias + α/size · Σ)^β.
export const lrnWgsl: GpuKernel<typeof LRN.attrs> = ([x], { alpha, beta, bias, size }, [out]) => {
  const [n, c] = x!.shape as [number, number];
  const plane = elementCount(x!.shape.slice(2));
  const total = n * c * plane;
  const u = new Uniforms().add('dims', 'u32', [total, c, plane])
    .add('window', 'i32', [Math.floor((size - 1) / 2), Math.ceil((size - 1) / 2)])
    .add('params', 'f32', [alpha / size, beta, bias]);
  const [TOTAL, C, PLANE] = [0, 1, 2].map((i) => u.at('dims', i));
  const body = `if (gi >= ${TOTAL}) { return; }
    let ch = i32((gi / ${PLANE}) % ${C});
    let first = gi - u32(ch) * ${PLANE};
    let lo = max(0, ch - ${u.at('window', 0)});
    let hi = min(i32(${C}) - 1, ch + ${u.at('window', 1)});
    var sq = 0.0;
    for (var k = lo; k <= hi; k = k + 1) { let v = X[first + u32(k) * ${PLANE}]; sq = sq + v * v; }
    let y = X[gi] / pow(${u.at('params', 2)} + ${u.at('params', 0)} * sq, ${u.at('params', 1)});
    Y[gi] = ${narrow('y', out!.dtype)};`;
  return {
    programs: [{
      key: `lrn:${out!.dtype}`,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(total),
    }],
  };
};
