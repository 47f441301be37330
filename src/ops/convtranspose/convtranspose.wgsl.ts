import type { GpuKernel } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import { convTransposeGeometry, type ConvTranspose } from './convtranspose.op.js';

// ConvTranspose in gather form: each output element (n, m, o…) sums, over the input channels of
// its group and every kernel tap k, X[n, c, i…] · W[c, m mod (M/G), k…] where o + pad − k·dilation
// = i·stride lands on an input position. One invocation per output element; any spatial rank.
export const convTransposeWgsl: GpuKernel<typeof ConvTranspose.attrs> = ([x, w, b], a, [out]) => {
  const geo = convTransposeGeometry(x!.shape, w!.shape, a);
  const r = x!.shape.length - 2;
  const size = out!.shape.reduce((p, d) => p * d, 1);
  if (size === 0) return 'an empty output';
  const c = x!.shape[1]!;
  const m = geo.outChannels;
  const g = a.group;
  const u = new Uniforms().add('size', 'u32', size).add('shape', 'u32', out!.shape)
    .add('ch', 'u32', [c / g, m / g])
    .add('inDims', 'i32', x!.shape.slice(2)).add('kDims', 'u32', w!.shape.slice(2))
    .add('strides', 'i32', geo.window.strides).add('dil', 'i32', geo.window.dilations).add('pads', 'i32', geo.pads.slice(0, r));
  const CIN = u.at('ch', 0);
  const MOUT = u.at('ch', 1);
  const inSpatial = Array.from({ length: r }, (_, d) => u.at('inDims', d)).join(' * ');
  const kSpatial = Array.from({ length: r }, (_, d) => u.at('kDims', d)).join(' * ');
  // the input position along each spatial dim for kernel tap k_d, or skip the tap
  const taps = Array.from({ length: r }, (_, d) => `let t${d} = i32(c${d + 2}) + ${u.at('pads', d)} - i32(k${d}) * ${u.at('dil', d)};
        if (t${d} < 0 || t${d} % ${u.at('strides', d)} != 0) { continue; }
        let p${d} = t${d} / ${u.at('strides', d)};
        if (p${d} >= ${u.at('inDims', d)}) { continue; }`);
  let body = `let xi = xBase + ${Array.from({ length: r }, (_, d) => `u32(p${d})${d < r - 1 ? ` * ${Array.from({ length: r - d - 1 }, (_, e) => `u32(${u.at('inDims', d + 1 + e)})`).join(' * ')}` : ''}`).join(' + ')};
        let wi = wBase + ${Array.from({ length: r }, (_, d) => `k${d}${d < r - 1 ? ` * ${Array.from({ length: r - d - 1 }, (_, e) => u.at('kDims', d + 1 + e)).join(' * ')}` : ''}`).join(' + ')};
        acc = acc + X[xi] * W[wi];`;
  for (let d = r - 1; d >= 0; d--) {
    body = `for (var k${d} = 0u; k${d} < ${u.at('kDims', d)}; k${d} = k${d} + 1u) {
        ${taps[d]}
        ${body}
      }`;
  }
  const main = [
    `if (gi >= ${u.at('size')}) { return; }`,
    coordsOf(u, 'shape', r + 2, 'gi', 'c'),
    `let grp = c1 / ${MOUT};`,
    `var acc = ${b ? 'B[c1]' : '0.0'};`,
    `for (var ci = 0u; ci < ${CIN}; ci = ci + 1u) {
      let chan = grp * ${CIN} + ci;
      let xBase = (c0 * ${u.at('ch', 0)} * ${g}u + chan) * u32(${inSpatial});
      let wBase = (chan * ${MOUT} + c1 % ${MOUT}) * ${kSpatial};
      ${body}
    }`,
    `Y[gi] = ${narrow('acc', out!.dtype)};`,
  ].join('\n    ');
  const decl = storage(0, 'X', 'f32', 'read') + storage(1, 'W', 'f32', 'read') + (b ? storage(2, 'B', 'f32', 'read') : '');
  const nb = b ? 3 : 2;
  return {
    programs: [{
      key: `convtranspose:${out!.dtype}:r${r}:g${g}:${!!b}`,
      source: () => `${decl}${storage(nb, 'Y', 'f32', 'read_write')}${u.declare(nb + 1)}\n${linearMain(main)}`,
      bindings: [{ input: 0 }, { input: 1 }, ...(b ? [{ input: 2 }] : []), { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
