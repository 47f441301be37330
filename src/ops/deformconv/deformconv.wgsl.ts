import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import type { DeformConv } from './deformconv.op.js';

// DeformConv on WebGPU, one invocation per output element y[n, o, i, j]: over the input channels
// of o's group and the kernel taps, X read bilinearly (zeros outside the plane) at the tap's
// regular position plus its offset-group's offset, times the mask when given, times the weight;
// plus the bias.
const BILINEAR = `
fn deformAt(base: u32, h: i32, w: i32, y: f32, x: f32) -> f32 {
  let y0 = i32(floor(y));
  let x0 = i32(floor(x));
  let ly = y - floor(y);
  let lx = x - floor(x);
  var v = vec4<f32>(0.0);
  if (y0 >= 0 && y0 < h && x0 >= 0 && x0 < w) { v.x = X[base + u32(y0 * w + x0)]; }
  if (y0 >= 0 && y0 < h && x0 + 1 >= 0 && x0 + 1 < w) { v.y = X[base + u32(y0 * w + x0 + 1)]; }
  if (y0 + 1 >= 0 && y0 + 1 < h && x0 >= 0 && x0 < w) { v.z = X[base + u32((y0 + 1) * w + x0)]; }
  if (y0 + 1 >= 0 && y0 + 1 < h && x0 + 1 >= 0 && x0 + 1 < w) { v.w = X[base + u32((y0 + 1) * w + x0 + 1)]; }
  return (1.0 - ly) * ((1.0 - lx) * v.x + lx * v.y) + ly * ((1.0 - lx) * v.z + lx * v.w);
}
`;

export const deformConvWgsl: GpuKernel<typeof DeformConv.attrs> = ([x, w, , b, mask], a, [out]) => {
  const [n, c, h, wd] = x!.shape as [number, number, number, number];
  const [oc, icg, kh, kw] = w!.shape as [number, number, number, number];
  const [, , oh, ow] = out!.shape as [number, number, number, number];
  const size = n * oc * oh * ow;
  if (size === 0) return 'an empty output';
  const [dh, dw] = a.dilations ?? [1, 1];
  const [sh, sw] = a.strides ?? [1, 1];
  const [ph, pw] = a.pads ?? [0, 0, 0, 0];
  const u = new Uniforms()
    .add('dims', 'u32', [size, oc, oh, ow, c, h, wd, icg])
    .add('kern', 'u32', [kh, kw, oc / a.group, c / a.offset_group, a.offset_group])
    .add('geom', 'i32', [sh!, sw!, ph!, pw!, dh!, dw!]);
  const [SIZE, OC, OH, OW, C, H, W, ICG] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u.at('dims', i));
  const [KH, KW, OCG, CPO, OG] = [0, 1, 2, 3, 4].map((i) => u.at('kern', i));
  const [SH, SW, PH, PW, DH, DW] = [0, 1, 2, 3, 4, 5].map((i) => u.at('geom', i));
  const names = ['X', 'Wt', 'Off', ...(b ? ['B'] : []), ...(mask ? ['M'] : []), 'Y'];
  const bindings = [{ input: 0 }, { input: 1 }, { input: 2 }, ...(b ? [{ input: 3 }] : []), ...(mask ? [{ input: 4 }] : []), { output: 0 }];
  const body = `if (gi >= ${SIZE}) { return; }
    let q = gi % (${OH} * ${OW});
    let i = i32(q / ${OW});
    let j = i32(q % ${OW});
    let o = (gi / (${OH} * ${OW})) % ${OC};
    let bi = gi / (${OH} * ${OW} * ${OC});
    let plane = ${OH} * ${OW};
    let g = o / ${OCG};
    var acc = ${b ? 'B[o]' : '0.0'};
    for (var cg = 0u; cg < ${ICG}; cg = cg + 1u) {
      let ci = g * ${ICG} + cg;
      let og = ci / ${CPO};
      let xBase = (bi * ${C} + ci) * ${H} * ${W};
      for (var ki = 0u; ki < ${KH}; ki = ki + 1u) {
        for (var kj = 0u; kj < ${KW}; kj = kj + 1u) {
          let tap = (bi * ${OG} * ${KH} * ${KW} + (og * ${KH} + ki) * ${KW} + kj);
          let py = f32(i * ${SH} - ${PH} + i32(ki) * ${DH}) + Off[tap * 2u * plane + q];
          let px = f32(j * ${SW} - ${PW} + i32(kj) * ${DW}) + Off[(tap * 2u + 1u) * plane + q];
          let v = deformAt(xBase, i32(${H}), i32(${W}), py, px)${mask ? ' * M[tap * plane + q]' : ''};
          acc = acc + v * Wt[((o * ${ICG} + cg) * ${KH} + ki) * ${KW} + kj];
        }
      }
    }
    Y[gi] = ${narrow('acc', out!.dtype)};`;
  return {
    programs: [{
      key: `deformconv:${!!b}:${!!mask}:${out!.dtype}`,
      source: () => `${names.map((nm, k) => storage(k, nm, 'f32', nm === 'Y' ? 'read_write' : 'read')).join('')}${u.declare(names.length)}${BILINEAR}\n${linearMain(body)}`,
      bindings, uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
