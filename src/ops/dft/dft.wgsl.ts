import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { elementCount } from '../../tensor/shape.js';
import { aroundAxis } from '../_kernels/axes.js';
import { MAX_DIRECT_DFT_LENGTH, TWIDDLE } from '../_wgsl/dft.js';
import { dftGeometry, scalarOf, type DFT } from './dft.op.js';

// A direct DFT sum per output bin, one invocation per (outer, bin, inner) position writing both
// components (as the CPU reference: zero-padding or truncating the signal to dft_length). The
// inverse onesided form (irfft) rebuilds the missing half as the conjugate mirror inside the sum
// and writes one real component.
export const dftWgsl: GpuKernel<typeof DFT.attrs> = ([x, lengthIn, axisIn], { inverse, onesided }, [out]) => {
  if ((lengthIn && !lengthIn.value) || (axisIn && !axisIn.value)) return 'dft_length or axis is computed on the device';
  const shape = x!.shape;
  const g = dftGeometry(shape, scalarOf(lengthIn, 'dft_length'), scalarOf(axisIn, 'axis'), inverse, onesided);
  if (g.length > MAX_DIRECT_DFT_LENGTH) return `dft_length ${g.length} is past the direct kernel's ${MAX_DIRECT_DFT_LENGTH}`;
  const { outer, n: nIn, inner } = aroundAxis(shape.slice(0, -1), g.axis);
  const inComps = shape.at(-1)!;
  const bins = out!.shape[g.axis]!;
  const irfft = g.inverse && g.onesided;
  const u = new Uniforms().add('dims', 'u32', [outer * bins * inner, nIn, inner, bins, g.length]);
  const [COUNT, NIN, INNER, BINS, N] = [0, 1, 2, 3, 4].map((i) => u.at('dims', i));
  const read = (at: string) => `let at = ((o * ${NIN} + ${at}) * ${INNER} + k) * ${inComps}u;
      let re = X[at];
      var im = ${inComps === 2 ? 'X[at + 1u]' : '0.0'};`;
  const sum = irfft
    ? `let half = ${N} / 2u + 1u;
    for (var f = 0u; f < ${N}; f = f + 1u) {
      // bins past the one-sided half mirror [n − f], conjugated
      let src = select(f, ${N} - f, f >= half);
      if (src >= ${NIN}) { continue; }
      ${read('src')}
      if (f >= half) { im = -im; }
      if (src == 0u || 2u * src == ${N}) { im = 0.0; }
      let w = twiddle(f * b, ${N}, 1.0);
      sr = sr + re * w.x - im * w.y;
    }
    Y[(o * ${BINS} + b) * ${INNER} + k] = ${narrow(`sr / f32(${N})`, out!.dtype)};`
    : `let len = min(${N}, ${NIN});
    for (var t = 0u; t < len; t = t + 1u) {
      ${read('t')}
      let w = twiddle(b * t, ${N}, ${g.inverse ? '1.0' : '-1.0'});
      sr = sr + re * w.x - im * w.y;
      si = si + re * w.y + im * w.x;
    }
    let scale = ${g.inverse ? `1.0 / f32(${N})` : '1.0'};
    let y = ((o * ${BINS} + b) * ${INNER} + k) * 2u;
    Y[y] = ${narrow('sr * scale', out!.dtype)};
    Y[y + 1u] = ${narrow('si * scale', out!.dtype)};`;
  const body = `if (gi >= ${COUNT}) { return; }
    let k = gi % ${INNER};
    let b = (gi / ${INNER}) % ${BINS};
    let o = gi / (${INNER} * ${BINS});
    var sr = 0.0;
    var si = 0.0;
    ${sum}`;
  return {
    programs: [{
      key: `dft:${irfft ? 'irfft' : g.inverse ? 'inv' : 'fwd'}:${inComps}:${out!.dtype}`,
      source: () => `${storage(0, 'X', 'f32', 'read')}${storage(1, 'Y', 'f32', 'read_write')}${u.declare(2)}${TWIDDLE}${linearMain(body)}`,
      bindings: [{ input: 0 }, { output: 0 }], uniforms: u, workgroups: linearDispatch(elementCount(out!.shape) / out!.shape.at(-1)!),
    }],
  };
};
