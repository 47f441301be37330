import { copyProgram } from '../../devices/webgpu/copy.js';
import { wgslType } from '../../devices/webgpu/dtype.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel, Program } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';
import { scatterCombine, scatterDeclines } from '../_wgsl/scatter-combine.js';
import { tupleOffsetWgsl } from '../gathernd/gathernd.wgsl.js';
import type { ScatterND } from './scatternd.op.js';

// reduction 'none': y = data (a copy), then one invocation per update element writes it where its
// index tuple points (duplicate tuples are undefined in ONNX; here one of them wins).
// Reductions are written as a gather, so they are deterministic and ordered like the CPU kernel:
// each output element walks every index tuple and combines the updates of those naming its slice.
export const scatterNDWgsl: GpuKernel<typeof ScatterND.attrs> = ([data, indices, updates], { reduction }, [out]) => {
  const declined = scatterDeclines(data!.dtype, reduction);
  if (declined) return declined;
  const k = indices!.shape.at(-1)!;
  const slice = elementCount(data!.shape.slice(k));
  const tuples = elementCount(indices!.shape.slice(0, -1));
  const size = elementCount(data!.shape);
  const t = wgslType(data!.dtype);
  const strides = stridesOf(data!.shape);
  const count = reduction === 'none' ? elementCount(updates!.shape) : size;
  const u = new Uniforms().add('dims', 'u32', [count, slice, tuples])
    .add('tdims', 'u32', data!.shape.slice(0, k)).add('tstrides', 'u32', strides.slice(0, k));
  const [COUNT, SLICE, TUPLES] = [0, 1, 2].map((i) => u.at('dims', i));
  const decl = `${storage(0, 'Idx', 'i32', 'read')}${storage(1, 'U', t, 'read')}`;
  if (reduction === 'none') {
    const body = `if (gi >= ${COUNT}) { return; }
    let tuple = gi / ${SLICE};
    var off = gi % ${SLICE};
    ${tupleOffsetWgsl(u, k, 'tuple')}
    Y[off] = U[gi];`;
    const write: Program = {
      key: `scatternd:${t}:none:k${k}`,
      source: () => `${decl}${storage(2, 'Y', t, 'read_write')}${u.declare(3)}\n${linearMain(body)}`,
      bindings: [{ input: 1 }, { input: 2 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(count),
    };
    return { programs: [copyProgram(data!.dtype, data!.shape, { base: 0 }, { base: 0 }, [{ input: 0 }, { output: 0 }]), write] };
  }
  const body = `if (gi >= ${COUNT}) { return; }
    let i = gi % ${SLICE};
    var acc = X[gi];
    for (var tuple = 0u; tuple < ${TUPLES}; tuple = tuple + 1u) {
      var off = i;
      ${tupleOffsetWgsl(u, k, 'tuple')}
      if (off == gi) { acc = combine(acc, U[tuple * ${SLICE} + i]); }
    }
    Y[gi] = ${narrow('acc', out!.dtype)};`;
  return {
    programs: [{
      key: `scatternd:${t}>${out!.dtype}:${reduction}:k${k}`,
      source: () => `${decl}${storage(2, 'X', t, 'read')}${storage(3, 'Y', t, 'read_write')}${u.declare(4)}${scatterCombine(reduction, t)}\n${linearMain(body)}`,
      bindings: [{ input: 1 }, { input: 2 }, { input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
