import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { LayerNormalization } from './layernormalization.op.js';

const WG = 64;
const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

// LayerNormalization over dims [axis, rank): one workgroup per row of `len` contiguous elements.
// Mean first, then the centred sum of squares (two passes: no catastrophic cancellation), all in
// f32 whatever the storage type; Mean and InvStdDev are written when the node asks for them.
export const layerNormWgsl: GpuKernel<typeof LayerNormalization.attrs> = ([x, scale, bias], a, outs) => {
  const axis = normalizeAxis(a.axis, x!.shape.length);
  const len = size(x!.shape.slice(axis));
  const rows = size(x!.shape) / Math.max(1, len);
  // Scale and B either cover the normalized dims or are one value; other broadcasts stay on the CPU
  for (const t of [scale, bias]) {
    if (t && size(t.shape) !== len && size(t.shape) !== 1) return `Scale/B of shape [${t.shape.join(',')}] broadcast inside the normalized dims`;
  }
  const u = new Uniforms().add('dims', 'u32', [rows, len]).add('eps', 'f32', a.epsilon);
  const [ROWS, LEN] = [u.at('dims', 0), u.at('dims', 1)];
  const hasBias = !!bias;
  const stats = outs.length > 1;
  const at = (name: string, t: { shape: readonly number[] }) => (size(t.shape) === 1 ? `${name}[0]` : `${name}[i]`);
  const bindings: BufferRef[] = [{ input: 0 }, { input: 1 }, ...(hasBias ? [{ input: 2 }] : []), ...outs.map((_, i) => ({ output: i }))];
  let b = 0;
  const decl = [storage(b++, 'X', 'f32', 'read'), storage(b++, 'S', 'f32', 'read'), hasBias ? storage(b++, 'B', 'f32', 'read') : '',
    storage(b++, 'Y', 'f32', 'read_write'), outs.length > 1 ? storage(b++, 'M', 'f32', 'read_write') : '',
    outs.length > 2 ? storage(b++, 'R', 'f32', 'read_write') : ''].join('');
  const source = () => `${decl}${u.declare(b)}
var<workgroup> part: array<f32, ${WG}>;

fn reduceSum(lidx: u32, v: f32) -> f32 {
  part[lidx] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { part[lidx] = part[lidx] + part[lidx + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lidx: u32) {
  let row = wid.y * nwg.x + wid.x;
  let live = row < ${ROWS};
  let base = row * ${LEN};
  var t = 0.0;
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) { t = t + X[base + i]; }
  let mean = reduceSum(lidx, t) / f32(${LEN});
  var q = 0.0;
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) { let d = X[base + i] - mean; q = q + d * d; }
  let inv = inverseSqrt(reduceSum(lidx, q) / f32(${LEN}) + ${u.at('eps')});
  for (var i = lidx; live && i < ${LEN}; i = i + ${WG}u) {
    let v = (X[base + i] - mean) * inv * ${at('S', scale!)}${hasBias ? ` + ${at('B', bias!)}` : ''};
    Y[base + i] = ${narrow('v', outs[0]!.dtype)};
  }
  if (live && lidx == 0u) {${stats ? '\n    M[row] = mean;' : ''}${outs.length > 2 ? '\n    R[row] = inv;' : ''}
  }
}
`;
  return {
    programs: [{
      key: `layernorm:${outs[0]!.dtype}:${hasBias}:${size(scale!.shape) === 1}:${hasBias && size(bias!.shape) === 1}:${outs.length}`,
      source, bindings, uniforms: u, workgroups: linearDispatch(rows, 1),
    }],
  };
};
