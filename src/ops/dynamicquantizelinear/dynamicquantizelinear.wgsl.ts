import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount } from '../../tensor/shape.js';
import type { DynamicQuantizeLinear } from './dynamicquantizelinear.op.js';

const WG = 256;

// Two programs: one workgroup reduces min(0, x) and max(0, x) over the whole tensor and writes
// y_scale = (max − min) / 255 (1/255 when they are equal) and y_zero_point = round(−min / scale);
// then every element is quantized, y = clamp(round(x / scale) + zero_point, 0, 255) (WGSL's round
// is half to even, as the spec's).
export const dynamicQuantizeLinearWgsl: GpuKernel<typeof DynamicQuantizeLinear.attrs> = ([x], _a, outs) => {
  const size = elementCount(x!.shape);
  if (outs.length < 3) return 'y_scale or y_zero_point not asked for';
  const u = new Uniforms().add('size', 'u32', size);
  const SIZE = u.at('size');
  const stats = `${storage(0, 'X', 'f32', 'read')}${storage(1, 'S', 'f32', 'read_write')}${storage(2, 'Z', 'u32', 'read_write')}${u.declare(3)}
var<workgroup> lo: array<f32, ${WG}>;
var<workgroup> hi: array<f32, ${WG}>;

@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lidx: u32) {
  var a = 0.0;
  var b = 0.0;
  for (var i = lidx; i < ${SIZE}; i = i + ${WG}u) { a = min(a, X[i]); b = max(b, X[i]); }
  lo[lidx] = a;
  hi[lidx] = b;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { lo[lidx] = min(lo[lidx], lo[lidx + s]); hi[lidx] = max(hi[lidx], hi[lidx + s]); }
    workgroupBarrier();
  }
  if (lidx == 0u) {
    let range = select(hi[0] - lo[0], 1.0, hi[0] == lo[0]);
    let scale = range / 255.0;
    S[0] = scale;
    Z[0] = u32(round(clamp(0.0 - lo[0] / scale, 0.0, 255.0)));
  }
}
`;
  const quantize = `${storage(0, 'X', 'f32', 'read')}${storage(1, 'S', 'f32', 'read')}${storage(2, 'Z', 'u32', 'read')}${storage(3, 'Y', 'u32', 'read_write')}${u.declare(4)}
${linearMain(`if (gi >= ${SIZE}) { return; }
    Y[gi] = u32(clamp(round(X[gi] / S[0]) + f32(Z[0]), 0.0, 255.0));`)}`;
  return {
    programs: [
      { key: 'dql-stats', source: () => stats, bindings: [{ input: 0 }, { output: 1 }, { output: 2 }], uniforms: u, workgroups: [1, 1, 1] },
      { key: 'dql-quantize', source: () => quantize, bindings: [{ input: 0 }, { output: 1 }, { output: 2 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size) },
    ],
  };
};
