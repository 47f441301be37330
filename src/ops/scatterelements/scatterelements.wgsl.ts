import { wgslType } from '../../devices/webgpu/dtype.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel, Program } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { InferInput, TensorType } from '../../tensor/tensor-type.js';
import { elementCount, normalizeAxis, stridesOf } from '../../tensor/shape.js';
import type { Reduction } from '../_kernels/element-index.js';
import { scatterCombine, scatterDeclines } from '../_wgsl/scatter-combine.js';
import type { Scatter, ScatterElements } from './scatterelements.op.js';

// Written as a gather, so it is deterministic: output element c can only receive the updates at
// positions p equal to c except along the axis, so it walks those (in the CPU kernel's order:
// the last of duplicate indices wins under 'none'), combining each whose index names c's axis
// coordinate with the value so far (starting from data). An index outside the axis is skipped.
function scatterElementsProgram(data: InferInput, indices: InferInput, axis: number, reduction: Reduction, out: TensorType): Program {
  const rank = data.shape.length;
  const a = normalizeAxis(axis, rank);
  const t = wgslType(data.dtype);
  const size = elementCount(data.shape);
  const istrides = stridesOf(indices.shape);
  const u = new Uniforms().add('size', 'u32', size).add('shape', 'u32', data.shape)
    .add('ishape', 'u32', indices.shape).add('istrides', 'u32', istrides);
  const beside = Array.from({ length: rank }, (_, d) => d).filter((d) => d !== a);
  const fits = beside.map((d) => `c${d} < ${u.at('ishape', d)}`).join(' && ') || 'true';
  const base = beside.map((d) => `c${d} * ${u.at('istrides', d)}`).join(' + ') || '0u';
  const body = `if (gi >= ${u.at('size')}) { return; }
    ${coordsOf(u, 'shape', rank, 'gi', 'c')}
    var acc = X[gi];
    if (${fits}) {
      let base = ${base};
      let n = i32(${u.at('shape', a)});
      for (var j = 0u; j < ${u.at('ishape', a)}; j = j + 1u) {
        let p = base + j * ${u.at('istrides', a)};
        var k = Idx[p];
        if (k < 0) { k = k + n; }
        if (k == i32(c${a})) { acc = combine(acc, U[p]); }
      }
    }
    Y[gi] = ${narrow('acc', out.dtype)};`;
  return {
    key: `scatterelements:${t}>${out.dtype}:${reduction}:r${rank}:a${a}`,
    source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'Idx', 'i32', 'read')}${storage(2, 'U', t, 'read')}${storage(3, 'Y', t, 'read_write')}${u.declare(4)}${scatterCombine(reduction, t)}\n${linearMain(body)}`,
    bindings: [{ input: 0 }, { input: 1 }, { input: 2 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
  };
}

export const scatterElementsWgsl: GpuKernel<typeof ScatterElements.attrs> = ([data, indices], { axis, reduction }, [out]) =>
  scatterDeclines(data!.dtype, reduction) ?? { programs: [scatterElementsProgram(data!, indices!, axis, reduction, out!)] };

export const scatterWgsl: GpuKernel<typeof Scatter.attrs> = ([data, indices], { axis }, [out]) =>
  ({ programs: [scatterElementsProgram(data!, indices!, axis, 'none', out!)] });
