import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { Gather } from './gather.op.js';

// y[o, j, i] = x[o, indices[j] (negative counts from the end), i] with x seen as
// [outer, axis dim, inner] and the indices flattened.
export const gatherWgsl: GpuKernel<typeof Gather.attrs> = ([x, idx], a, [out]) => {
  const axis = normalizeAxis(a.axis, x!.shape.length);
  const inner = x!.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const count = idx!.shape.reduce((p, d) => p * d, 1);
  const size = out!.shape.reduce((p, d) => p * d, 1);
  const t = wgslType(x!.dtype);
  const u = new Uniforms().add('dims', 'u32', [size, inner, count, x!.shape[axis]!]);
  const [SIZE, INNER, COUNT, DIM] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const body = `if (gi >= ${SIZE}) { return; }
    let i = gi % ${INNER};
    let j = (gi / ${INNER}) % ${COUNT};
    let o = gi / (${INNER} * ${COUNT});
    var k = Idx[j];
    if (k < 0) { k = k + i32(${DIM}); }
    Y[gi] = X[(o * ${DIM} + u32(k)) * ${INNER} + i];`;
  return {
    programs: [{
      key: `gather:${t}`,
      source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'Idx', 'i32', 'read')}${storage(2, 'Y', t, 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
