import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, offsetOf, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { normalizeAxis, stridesOf } from '../../tensor/shape.js';
import type { GatherElements } from './gatherelements.op.js';

// y[c] = x[c with coordinate `axis` replaced by indices[c]] (negative counts from the end). A
// shader cannot raise the CPU kernel's range error, so an out-of-range index is clamped to the
// axis instead of reading outside x.
export const gatherElementsWgsl: GpuKernel<typeof GatherElements.attrs> = ([x, idx], a, [out]) => {
  const rank = x!.shape.length;
  const axis = normalizeAxis(a.axis, rank);
  const strides = stridesOf(x!.shape);
  const size = out!.shape.reduce((p, d) => p * d, 1);
  const t = wgslType(x!.dtype);
  const u = new Uniforms()
    .add('shape', 'u32', out!.shape)
    .add('strides', 'u32', strides.map((s, d) => (d === axis ? 0 : s)))
    .add('misc', 'u32', [size, x!.shape[axis]!, strides[axis]!]);
  const [SIZE, DIM, STRIDE] = [0, 1, 2].map((i) => u.at('misc', i));
  const body = `if (gi >= ${SIZE}) { return; }
    ${coordsOf(u, 'shape', rank, 'gi', 'c')}
    var k = Idx[gi];
    if (k < 0) { k = k + i32(${DIM}); }
    let j = u32(clamp(k, 0, i32(${DIM}) - 1));
    Y[gi] = X[${offsetOf(u, 'strides', rank, 'c')} + j * ${STRIDE}];`;
  return {
    programs: [{
      key: `gatherelements:${t}:${rank}`,
      source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'Idx', 'i32', 'read')}${storage(2, 'Y', t, 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
