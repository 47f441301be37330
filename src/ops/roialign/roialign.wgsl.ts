import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { INFINITY, NEG_INF } from '../../wgsl/math.js';
import type { RoiAlign } from './roialign.op.js';

// RoiAlign on WebGPU, one invocation per output element, as the CPU kernel: the ROI's bins in f32
// arithmetic, each bin's sample grid read bilinearly (no weight outside [-1, size]), averaged or
// max-pooled over the weighted neighbours. A shader cannot raise the CPU kernel's range error, so a
// batch index outside X writes zeros; a known (constant) out-of-range index falls back instead.
const BILINEAR = `
fn roiTap(y_: f32, x_: f32, h: u32, w: u32, base: u32, isMax: bool, acc: ptr<function, f32>) {
  if (y_ < -1.0 || y_ > f32(h) || x_ < -1.0 || x_ > f32(w)) {
    if (isMax) { *acc = max(*acc, 0.0); }
    return;
  }
  var y = max(y_, 0.0);
  var x = max(x_, 0.0);
  var y0 = u32(floor(y));
  var x0 = u32(floor(x));
  var y1 = y0 + 1u;
  var x1 = x0 + 1u;
  if (y0 >= h - 1u) { y0 = h - 1u; y1 = y0; y = f32(y0); }
  if (x0 >= w - 1u) { x0 = w - 1u; x1 = x0; x = f32(x0); }
  let ly = y - f32(y0);
  let lx = x - f32(x0);
  let v = vec4<f32>((1.0 - ly) * (1.0 - lx) * X[base + y0 * w + x0], (1.0 - ly) * lx * X[base + y0 * w + x1],
                    ly * (1.0 - lx) * X[base + y1 * w + x0], ly * lx * X[base + y1 * w + x1]);
  if (isMax) { *acc = max(*acc, max(max(v.x, v.y), max(v.z, v.w))); }
  else { *acc = *acc + v.x + v.y + v.z + v.w; }
}
`;

export const roiAlignWgsl: GpuKernel<typeof RoiAlign.attrs> = ([x, , batchIndices], a, [out]) => {
  const [batch, channels, h, w] = x!.shape as [number, number, number, number];
  const [nRois, , ph, pw] = out!.shape as [number, number, number, number];
  const size = nRois * channels * ph * pw;
  if (size === 0) return 'an empty output';
  if (h * w === 0) return 'an empty input image';
  const known = batchIndices!.value?.numeric();
  if (known && known.some((b) => !(b >= 0 && b < batch))) return 'a batch index outside X (the CPU kernel reports it)';
  const halfPixel = a.coordinate_transformation_mode === 'half_pixel';
  const isMax = a.mode === 'max';
  const u = new Uniforms()
    .add('dims', 'u32', [size, channels, h, w, ph, pw, batch])
    .add('fp', 'f32', [a.spatial_scale, halfPixel ? 0.5 : 0])
    .add('ratio', 'i32', a.sampling_ratio);
  const [SIZE, CH, H, W, PH, PW, BATCH] = [0, 1, 2, 3, 4, 5, 6].map((i) => u.at('dims', i));
  const [SCALE, SHIFT] = [0, 1].map((i) => u.at('fp', i));
  const RATIO = u.at('ratio');
  const body = `if (gi >= ${SIZE}) { return; }
    let ox = gi % ${PW};
    let oy = (gi / ${PW}) % ${PH};
    let c = (gi / (${PW} * ${PH})) % ${CH};
    let r = gi / (${PW} * ${PH} * ${CH});
    let b = BI[r];
    if (b < 0 || b >= i32(${BATCH})) { Y[gi] = 0.0; return; }
    let x1 = R[r * 4u] * ${SCALE} - ${SHIFT};
    let y1 = R[r * 4u + 1u] * ${SCALE} - ${SHIFT};
    let x2 = R[r * 4u + 2u] * ${SCALE} - ${SHIFT};
    let y2 = R[r * 4u + 3u] * ${SCALE} - ${SHIFT};
    let roiW = ${halfPixel ? 'x2 - x1' : 'max(x2 - x1, 1.0)'};
    let roiH = ${halfPixel ? 'y2 - y1' : 'max(y2 - y1, 1.0)'};
    let binH = roiH / f32(${PH});
    let binW = roiW / f32(${PW});
    let gridH = select(u32(ceil(binH)), u32(${RATIO}), ${RATIO} > 0);
    let gridW = select(u32(ceil(binW)), u32(${RATIO}), ${RATIO} > 0);
    let base = (u32(b) * ${CH} + c) * ${H} * ${W};
    var acc = ${isMax ? NEG_INF : '0.0'};
    for (var iy = 0u; iy < gridH; iy = iy + 1u) {
      let sy = y1 + f32(oy) * binH + (f32(iy) + 0.5) * binH / f32(gridH);
      for (var ix = 0u; ix < gridW; ix = ix + 1u) {
        roiTap(sy, x1 + f32(ox) * binW + (f32(ix) + 0.5) * binW / f32(gridW), ${H}, ${W}, base, ${isMax}, &acc);
      }
    }
    let count = max(gridH * gridW, 1u);
    ${isMax ? 'if (gridH * gridW == 0u) { acc = 0.0; }' : 'acc = acc / f32(count);'}
    Y[gi] = ${narrow('acc', out!.dtype)};`;
  return {
    programs: [{
      key: `roialign:${a.mode}:${a.coordinate_transformation_mode}:${out!.dtype}`,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'R', 'f32', 'read')}${storage(2, 'BI', 'i32', 'read')}${storage(3, 'Y', 'f32', 'read_write')}${u.declare(4)}${INFINITY}${BILINEAR}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { input: 1 }, { input: 2 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
