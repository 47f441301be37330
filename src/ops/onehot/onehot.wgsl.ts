import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, normalizeAxis } from '../../tensor/shape.js';
import type { OneHot } from './onehot.op.js';

// y seen as [outer, depth, inner] around the new axis: y[o, j, k] = values[1] when the index at
// (o, k), truncated and counted from depth when negative, is j; values[0] otherwise.
export const oneHotWgsl: GpuKernel<typeof OneHot.attrs> = ([indices, , values], { axis }, [out]) => {
  const a = normalizeAxis(axis, out!.shape.length);
  const depth = out!.shape[a]!;
  const inner = elementCount(out!.shape.slice(a + 1));
  const size = elementCount(out!.shape);
  const ti = wgslType(indices!.dtype);
  const tv = wgslType(values!.dtype);
  const u = new Uniforms().add('dims', 'u32', [size, depth, inner]);
  const [SIZE, DEPTH, INNER] = [0, 1, 2].map((i) => u.at('dims', i));
  const body = `if (gi >= ${SIZE}) { return; }
    let k = gi % ${INNER};
    let j = i32((gi / ${INNER}) % ${DEPTH});
    let o = gi / (${INNER} * ${DEPTH});
    var idx = i32(${ti === 'f32' ? 'trunc(I[o * ' + INNER + ' + k])' : `I[o * ${INNER} + k]`});
    if (idx < 0) { idx = idx + i32(${DEPTH}); }
    Y[gi] = select(V[0], V[1], idx == j);`;
  return {
    programs: [{
      key: `onehot:${ti}:${tv}`,
      source: () => `${storage(0, 'I', ti, 'read')}${storage(1, 'V', tv, 'read')}${storage(2, 'Y', tv, 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { input: 2 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
