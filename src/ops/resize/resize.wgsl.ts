import { wgslType } from '../../devices/webgpu/dtype.js';
import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { coordsOf, linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { axisTaps, isIdentity, type Taps } from './resize.cpu.js';
import { resizePlan, roiOf, type ResizeAttrs } from './resize.op.js';

/** Taps of all resized axes must fit the uniform block (each tap is an index and a weight). */
const MAX_TAP_WORDS = 8192;

// Resize: the taps (input indices and weights of every output coordinate, per resized axis) are
// computed on the host exactly as the CPU kernel computes them and travel in uniforms; each output
// element sums the product of its axes' taps (the filters are separable). An index of −1 marks a
// coordinate outside the crop (tf_crop_and_resize), which writes the extrapolation value.
export const resizeWgsl: GpuKernel<ResizeAttrs> = (inputs, a, [out]) => {
  const x = inputs[0]!;
  const float = x.dtype === 'float32' || x.dtype === 'float16';
  if (!float && (a.mode !== 'nearest' || (x.dtype !== 'int8' && x.dtype !== 'uint8'))) return `${a.mode} resize of ${x.dtype}`;
  // roi is not a shape-deciding input, so its value is known here only when it is a constant
  if (a.coordinate_transformation_mode === 'tf_crop_and_resize' && inputs[1] && inputs[1].value === undefined) return 'tf_crop_and_resize with a computed roi';
  const plan = resizePlan(x.shape, inputs, a);
  const roi = roiOf(x.shape.length, inputs[1], a.axes);
  const resized: { axis: number; taps: Taps[]; count: number }[] = [];
  x.shape.forEach((len, d) => {
    const taps = axisTaps(len, out!.shape[d]!, plan.scales[d]!, roi[d]!, a);
    if (!isIdentity(taps, len)) resized.push({ axis: d, taps, count: Math.max(1, ...taps.map((t) => t.index.length)) });
  });
  const words = resized.reduce((n, r) => n + 2 * r.taps.length * r.count, 0);
  if (words > MAX_TAP_WORDS) return `resize taps (${words} words) exceed the uniform budget`;
  const size = out!.shape.reduce((p, d) => p * d, 1);
  if (size === 0) return 'an empty output';
  const rank = out!.shape.length;
  const inStrides = x.shape.map((_, k) => x.shape.slice(k + 1).reduce((p, d) => p * d, 1));
  const u = new Uniforms().add('size', 'u32', size).add('shape', 'u32', out!.shape).add('inStrides', 'u32', inStrides)
    .add('extra', 'f32', a.extrapolation_value);
  for (const [k, r] of resized.entries()) {
    u.add(`i${k}`, 'i32', r.taps.flatMap((t) => Array.from({ length: r.count }, (_, j) => (t.outside ? -1 : t.index[j] ?? 0))));
    u.add(`w${k}`, 'f32', r.taps.flatMap((t) => Array.from({ length: r.count }, (_, j) => t.weight[j] ?? 0)));
  }
  const t = wgslType(x.dtype);
  const isResized = new Map(resized.map((r, k) => [r.axis, k]));
  // the fixed part of the source offset (axes not resized), then one nested loop per resized axis
  const fixed = x.shape.map((_, d) => (isResized.has(d) ? '' : `c${d} * ${u.at('inStrides', d)}`)).filter(Boolean).join(' + ') || '0u';
  const wName = (k: number) => (k < 0 ? '1.0' : `w${k}`);
  const offName = (k: number) => (k < 0 ? 'base' : `off${k}`);
  let inner = `acc = acc + ${wName(resized.length - 1)} * f32(X[${offName(resized.length - 1)}]);`;
  for (let k = resized.length - 1; k >= 0; k--) {
    const { axis, count } = resized[k]!;
    const tap = `(c${axis} * ${count}u + j${k})`;
    inner = `for (var j${k} = 0u; j${k} < ${count}u; j${k} = j${k} + 1u) {
      let idx${k} = u.i${k}[${tap} / 4u][${tap} % 4u];
      if (idx${k} < 0) { outside = true; break; }
      let w${k} = ${wName(k - 1)} * u.w${k}[${tap} / 4u][${tap} % 4u];
      let off${k} = ${offName(k - 1)} + u32(idx${k}) * ${u.at('inStrides', axis)};
      ${inner}
    }`;
  }
  const value = float ? 'acc' : `round(acc)`;
  const body = [
    `if (gi >= ${u.at('size')}) { return; }`,
    coordsOf(u, 'shape', Math.max(1, rank), 'gi', 'c'),
    `let base = ${fixed};`, 'var acc = 0.0;', 'var outside = false;',
    inner,
    `if (outside) { acc = ${u.at('extra')}; }`,
    `Y[gi] = ${narrow(`${t}(${value})`, out!.dtype)};`,
  ].join('\n    ');
  // the uniform arrays' lengths are part of the WGSL struct, so the key names them
  const shapeKey = resized.map((r) => `${r.axis}x${r.count}x${r.taps.length}`).join(',');
  return {
    programs: [{
      key: `resize:${t}>${out!.dtype}:r${rank}:${shapeKey}`,
      source: () => `${storage(0, 'X', t, 'read')}${storage(1, 'Y', t, 'read_write')}${u.declare(2)}\n${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
