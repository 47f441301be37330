import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount } from '../../tensor/shape.js';
import type { AffineGrid } from './affinegrid.op.js';

// One invocation per output element (batch n, grid point, component row): row `row` of theta[n]
// times the point's homogeneous normalized coordinates [x, y, (z,) 1], x along the last dim.
export const affineGridWgsl: GpuKernel<typeof AffineGrid.attrs> = ([theta], { align_corners }, [out]) => {
  const spatial = out!.shape.slice(1, -1);
  const r = spatial.length;
  const size = elementCount(out!.shape);
  const u = new Uniforms().add('size', 'u32', size).add('spatial', 'u32', spatial).add('align', 'u32', align_corners ? 1 : 0);
  // coordinate k of the point follows spatial dim r − 1 − k
  const coords = Array.from({ length: r }, (_, k) => {
    const d = r - 1 - k;
    const below = Array.from({ length: r - 1 - d }, (_, j) => u.at('spatial', d + 1 + j)).join(' * ') || '1u';
    return `{ let len = ${u.at('spatial', d)}; let i = f32((point / (${below})) % len);
      coord[${k}] = select(-1.0 + (2.0 * i + 1.0) / f32(len), select(-1.0, -1.0 + 2.0 * i / f32(len - 1u), len > 1u), ${u.at('align')} == 1u); }`;
  }).join('\n    ');
  const body = `if (gi >= ${u.at('size')}) { return; }
    let row = gi % ${r}u;
    let point = (gi / ${r}u) % (${Array.from({ length: r }, (_, d) => u.at('spatial', d)).join(' * ')});
    let n = gi / (${r}u * ${Array.from({ length: r }, (_, d) => u.at('spatial', d)).join(' * ')});
    var coord: array<f32, ${r + 1}>;
    coord[${r}] = 1.0;
    ${coords}
    var s = 0.0;
    for (var k = 0u; k <= ${r}u; k = k + 1u) { s = s + T[(n * ${r}u + row) * ${r + 1}u + k] * coord[k]; }
    Y[gi] = ${narrow('s', out!.dtype)};`;
  return {
    programs: [{
      key: `affinegrid:${out!.dtype}:r${r}`,
      source: () => `${storage(0, 'T', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
