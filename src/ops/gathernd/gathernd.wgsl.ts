import { wgslType } from '../../devices/webgpu/dtype.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import type { GatherND } from './gathernd.op.js';

/**
 * WGSL statements adding to `off` the data offset named by index tuple `tuple` (k indices read
 * from `Idx`, counting from the end when negative, clamped into each dim: a shader cannot raise
 * the CPU kernel's range error) over the data dims held in uniform fields `tdims`/`tstrides`.
 */
export function tupleOffsetWgsl(u: Uniforms, k: number, tuple: string): string {
  return Array.from({ length: k }, (_, j) => {
    const dim = `i32(${u.at('tdims', j)})`;
    return `{ var v = Idx[${tuple} * ${k}u + ${j}u]; if (v < 0) { v = v + ${dim}; }
      off = off + u32(clamp(v, 0, ${dim} - 1)) * ${u.at('tstrides', j)}; }`;
  }).join('\n    ');
}

// y[t, i] = data[batch of t, indices[t, :] .., i]: output element (tuple t, slice element i)
// reads the data element the tuple names after the batch dims.
export const gatherNDWgsl: GpuKernel<typeof GatherND.attrs> = ([data, indices], { batch_dims: b }, [out]) => {
  const k = indices!.shape.at(-1)!;
  const strides = stridesOf(data!.shape);
  const slice = elementCount(data!.shape.slice(b + k));
  const tuples = elementCount(indices!.shape.slice(b, -1));
  const size = elementCount(out!.shape);
  const t = wgslType(data!.dtype);
  const u = new Uniforms().add('dims', 'u32', [size, slice, tuples, elementCount(data!.shape.slice(b))])
    .add('tdims', 'u32', data!.shape.slice(b, b + k)).add('tstrides', 'u32', strides.slice(b, b + k));
  const [SIZE, SLICE, TUPLES, BATCH] = [0, 1, 2, 3].map((i) => u.at('dims', i));
  const body = `if (gi >= ${SIZE}) { return; }
    let tuple = gi / ${SLICE};
    var off = (tuple / ${TUPLES}) * ${BATCH} + gi % ${SLICE};
    ${tupleOffsetWgsl(u, k, 'tuple')}
    Y[gi] = X[off];`;
  return {
    programs: [{
      key: `gathernd:${t}:k${k}`,
      source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'Idx', 'i32', 'read')}${storage(2, 'Y', t, 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
