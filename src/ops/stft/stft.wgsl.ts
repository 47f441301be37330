import { narrow } from '../../devices/webgpu/elementwise.js';
import type { GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { MAX_DIRECT_DFT_LENGTH, TWIDDLE } from '../_wgsl/dft.js';
import { scalarOf } from '../dft/dft.op.js';
import type { STFT } from './stft.op.js';

// A direct DFT sum of each windowed frame, one invocation per (batch, frame, bin) writing both
// components: y[b, f, k] = Σ_t signal[b, f·step + t]·window[t]·e^{−2πi·kt/L}.
export const stftWgsl: GpuKernel<typeof STFT.attrs> = ([signal, stepIn, window, lengthIn], _attrs, [out]) => {
  if (!stepIn?.value || (lengthIn && !lengthIn.value)) return 'frame_step or frame_length is computed on the device';
  const [, len, comps] = signal!.shape as [number, number, number];
  const [batch, frames, bins] = out!.shape as [number, number, number];
  const frameLength = scalarOf(lengthIn, 'frame_length') ?? window?.shape[0] ?? len;
  if (frameLength > MAX_DIRECT_DFT_LENGTH) return `frame_length ${frameLength} is past the direct kernel's ${MAX_DIRECT_DFT_LENGTH}`;
  const u = new Uniforms().add('dims', 'u32', [batch * frames * bins, len, frames, bins, frameLength, scalarOf(stepIn, 'frame_step')!]);
  const [COUNT, LEN, FRAMES, BINS, L, STEP] = [0, 1, 2, 3, 4, 5].map((i) => u.at('dims', i));
  const body = `if (gi >= ${COUNT}) { return; }
    let k = gi % ${BINS};
    let f = (gi / ${BINS}) % ${FRAMES};
    let b = gi / (${BINS} * ${FRAMES});
    var sr = 0.0;
    var si = 0.0;
    for (var t = 0u; t < ${L}; t = t + 1u) {
      let at = (b * ${LEN} + f * ${STEP} + t) * ${comps}u;
      let weight = ${window ? 'Wn[t]' : '1.0'};
      let re = X[at] * weight;
      let im = ${comps === 2 ? 'X[at + 1u] * weight' : '0.0'};
      let w = twiddle(k * t, ${L}, -1.0);
      sr = sr + re * w.x - im * w.y;
      si = si + re * w.y + im * w.x;
    }
    Y[gi * 2u] = ${narrow('sr', out!.dtype)};
    Y[gi * 2u + 1u] = ${narrow('si', out!.dtype)};`;
  const decls = storage(0, 'X', 'f32', 'read') + (window ? storage(1, 'Wn', 'f32', 'read') : '') + storage(window ? 2 : 1, 'Y', 'f32', 'read_write');
  return {
    programs: [{
      key: `stft:${comps}:${window ? 'w' : '-'}:${out!.dtype}`,
      source: () => `${decls}${u.declare(window ? 3 : 2)}${TWIDDLE}${linearMain(body)}`,
      bindings: [{ input: 0 }, ...(window ? [{ input: 2 }] : []), { output: 0 }], uniforms: u, workgroups: linearDispatch(batch * frames * bins),
    }],
  };
};
