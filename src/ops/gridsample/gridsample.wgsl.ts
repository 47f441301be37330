import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import type { GridSample } from './gridsample.op.js';

// GridSample on WebGPU, one invocation per output element, following the CPU kernel (sampling.ts):
// per spatial dim the pixel coordinate, its border rule and its taps (index, weight; index −1 reads
// a zero), then the sum over the product of the dims' taps. Any number of spatial dims; WGSL's
// round() is round-half-to-even like the CPU kernel's nearest rounding.
const SAMPLING = `
fn reflect_(x: f32, lo: f32, hi: f32) -> f32 {
  let range = hi - lo;
  if (range <= 0.0) { return lo; }
  if (x >= lo && x <= hi) { return x; }
  let dx = select(x - hi, lo - x, x < lo);
  let k = floor(dx / range);
  let rest = dx - k * range;
  let fromLow = (x < lo) == ((k % 2.0) == 0.0);
  return select(hi - rest, lo + rest, fromLow);
}
fn cubic_(d: f32) -> f32 {
  let a = -0.75;
  let x = abs(d);
  if (x <= 1.0) { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0; }
  if (x < 2.0) { return ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a; }
  return 0.0;
}
`;

const TAPS = { linear: 2, nearest: 1, cubic: 4 } as const;

export const gridSampleWgsl: GpuKernel<typeof GridSample.attrs> = ([x], a, [out]) => {
  const mode = a.mode === 'bilinear' ? 'linear' : a.mode === 'bicubic' ? 'cubic' : a.mode;
  const align = a.align_corners !== 0;
  const [batch, channels, ...dims] = x!.shape as [number, number, ...number[]];
  const r = dims.length;
  const points = sizeOf(out!.shape.slice(2));
  const size = batch * channels * points;
  if (size === 0) return 'an empty output';
  if (sizeOf(dims) === 0) return 'an empty input image';
  const u = new Uniforms()
    .add('dims', 'u32', dims).add('strides', 'u32', stridesOf(dims))
    .add('misc', 'u32', [size, channels, points, sizeOf(dims)])
    .add('his', 'f32', dims.map((n) => (align ? n - 1 : n - 0.5)));
  const [SIZE, CH, POINTS, PIXELS] = [0, 1, 2, 3].map((i) => u.at('misc', i));
  const lo = align ? '0.0' : '-0.5';
  const T = TAPS[mode];
  const perDim = dims.map((_, d) => {
    const n = `f32(${u.at('dims', d)})`;
    const hi = u.at('his', d);
    const v = `G[(nb * ${POINTS} + p) * ${r}u + ${r - 1 - d}u]`;
    const coord = align ? `(${v} + 1.0) / 2.0 * (${n} - 1.0)` : `((${v} + 1.0) * ${n} - 1.0) / 2.0`;
    const border = mode === 'cubic' || a.padding_mode === 'zeros' ? ''
      : `if (c${d} < ${lo} || c${d} > ${hi}) { c${d} = ${a.padding_mode === 'border' ? `clamp(c${d}, 0.0, ${n} - 1.0)` : `reflect_(c${d}, ${lo}, ${hi})`}; }`;
    const tapIndex = a.padding_mode === 'zeros' ? `select(-1, i32(t), t >= 0.0 && t < ${n})`
      : a.padding_mode === 'border' ? `i32(clamp(t, 0.0, ${n} - 1.0))`
        : `clamp(i32(trunc(reflect_(t, ${lo}, ${hi}))), 0, i32(${u.at('dims', d)}) - 1)`;
    const start = mode === 'nearest' ? `c${d}` : mode === 'linear' ? `floor(c${d})` : `floor(c${d}) - 1.0`;
    const weight = mode === 'nearest' ? '1.0' : mode === 'linear' ? `select(1.0 - f${d}, f${d}, k == 1)` : `cubic_(f${d} + 1.0 - f32(k))`;
    return `var c${d} = ${coord};${mode === 'nearest' ? `\n    c${d} = round(c${d});` : ''}
    ${border}
    let f${d} = c${d} - floor(c${d});
    var ix${d}: array<i32, ${T}>;
    var w${d}: array<f32, ${T}>;
    for (var k = 0; k < ${T}; k = k + 1) {
      let t = ${start} + f32(k);
      ix${d}[k] = ${tapIndex};
      w${d}[k] = ${weight};
    }`;
  });
  // nested loops over the taps of every dim: the corners of the interpolation cell
  let inner = `acc = acc + wp${r - 1} * f32(X[base + off${r - 1}]);`;
  for (let d = r - 1; d >= 0; d--) {
    inner = `for (var k${d} = 0; k${d} < ${T}; k${d} = k${d} + 1) {
      if (ix${d}[k${d}] < 0) { continue; }
      let off${d} = ${d === 0 ? '0u' : `off${d - 1}`} + u32(ix${d}[k${d}]) * ${u.at('strides', d)};
      let wp${d} = ${d === 0 ? '' : `wp${d - 1} * `}w${d}[k${d}];
      ${inner}
    }`;
  }
  const body = `if (gi >= ${SIZE}) { return; }
    let p = gi % ${POINTS};
    let nc = gi / ${POINTS};
    let nb = nc / ${CH};
    let base = nc * ${PIXELS};
    ${perDim.join('\n    ')}
    var acc = 0.0;
    ${inner}
    Y[gi] = ${narrow('acc', out!.dtype)};`;
  return {
    programs: [{
      key: `gridsample:${mode}:${a.padding_mode}:${align}:r${r}:${out!.dtype}`,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'G', 'f32', 'read')}${storage(2, 'Y', 'f32', 'read_write')}${u.declare(3)}${SAMPLING}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { input: 1 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
