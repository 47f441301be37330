import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, normalizeAxis } from '../../tensor/shape.js';
import type { Hardmax } from './hardmax.op.js';

// One invocation per line along the axis (x seen as [outer, n, inner]): it finds the first
// maximum, then writes 1 there and 0 elsewhere in the line.
export const hardmaxWgsl: GpuKernel<typeof Hardmax.attrs> = ([x], { axis }, [out]) => {
  const a = normalizeAxis(axis, x!.shape.length);
  const n = x!.shape[a]!;
  const inner = elementCount(x!.shape.slice(a + 1));
  const lines = n === 0 ? 0 : elementCount(x!.shape) / n;
  const u = new Uniforms().add('dims', 'u32', [lines, n, inner]);
  const [LINES, N, INNER] = [0, 1, 2].map((i) => u.at('dims', i));
  const body = `if (gi >= ${LINES}) { return; }
    let base = (gi / ${INNER}) * ${N} * ${INNER} + gi % ${INNER};
    var best = 0u;
    for (var j = 1u; j < ${N}; j = j + 1u) {
      if (X[base + j * ${INNER}] > X[base + best * ${INNER}]) { best = j; }
    }
    for (var j = 0u; j < ${N}; j = j + 1u) {
      Y[base + j * ${INNER}] = ${narrow('select(0.0, 1.0, j == best)', out!.dtype)};
    }`;
  return {
    programs: [{
      key: `hardmax:${out!.dtype}`,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(lines),
    }],
  };
};
