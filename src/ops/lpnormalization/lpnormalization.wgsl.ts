import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, normalizeAxis } from '../../tensor/shape.js';
import type { LpNormalization } from './lpnormalization.op.js';

// One invocation per line along the axis (x seen as [outer, n, inner]): its L1 or L2 norm, then
// every element divided by it; a zero line stays zero, as on the CPU.
export const lpNormalizationWgsl: GpuKernel<typeof LpNormalization.attrs> = ([x], { axis, p }, [out]) => {
  const a = normalizeAxis(axis, x!.shape.length);
  const n = x!.shape[a]!;
  const inner = elementCount(x!.shape.slice(a + 1));
  const lines = n === 0 ? 0 : elementCount(x!.shape) / n;
  const u = new Uniforms().add('dims', 'u32', [lines, n, inner]);
  const [LINES, N, INNER] = [0, 1, 2].map((i) => u.at('dims', i));
  const body = `if (gi >= ${LINES}) { return; }
    let base = (gi / ${INNER}) * ${N} * ${INNER} + gi % ${INNER};
    var norm = 0.0;
    for (var j = 0u; j < ${N}; j = j + 1u) { let v = X[base + j * ${INNER}]; norm = norm + ${p === 1 ? 'abs(v)' : 'v * v'}; }
    ${p === 1 ? '' : 'norm = sqrt(norm);'}
    for (var j = 0u; j < ${N}; j = j + 1u) {
      let at = base + j * ${INNER};
      Y[at] = ${narrow('select(X[at] / norm, 0.0, norm == 0.0)', out!.dtype)};
    }`;
  return {
    programs: [{
      key: `lpnorm:${p}:${out!.dtype}`,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(lines),
    }],
  };
};
