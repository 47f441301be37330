import { narrow } from '../../devices/webgpu/elementwise.js';
import type { BufferRef, GpuKernel } from '../../devices/webgpu/program.js';
import { linearDispatch, linearMain, storage, Uniforms } from '../../devices/webgpu/shader.js';
import { SIGMOID } from '../../wgsl/math.js';
import type { CausalConvWithState } from './causalconvwithstate.op.js';

// CausalConvWithState on WebGPU, one program: invocations below batch·channels·L write output
// elements (bias + the k taps over the padded row, SiLU when asked), the rest write present_state
// (the padded row's last k−1 positions). padded[p] is past_state (or zero) for p < k−1, else X.
export const causalConvWithStateWgsl: GpuKernel<typeof CausalConvWithState.attrs> = ([x, w, bias, past], a, outs) => {
  const [batch, channels, len] = x!.shape as [number, number, number];
  const k = w!.shape[2]!;
  const ySize = batch * channels * len;
  const stateSize = outs[1] ? batch * channels * (k - 1) : 0;
  const size = ySize + stateSize;
  if (size === 0) return 'an empty output';
  const u = new Uniforms().add('dims', 'u32', [ySize, size, len, channels, k]);
  const [YSIZE, SIZE, LEN, CH, K] = [0, 1, 2, 3, 4].map((i) => u.at('dims', i));
  const names = ['X', 'Wt', ...(bias ? ['B'] : []), ...(past ? ['P'] : []), 'Y', ...(outs[1] ? ['S'] : [])];
  const bindings: BufferRef[] = [{ input: 0 }, { input: 1 }, ...(bias ? [{ input: 2 }] : []), ...(past ? [{ input: 3 }] : []), { output: 0 }, ...(outs[1] ? [{ output: 1 }] : [])];
  const silu = a.activation !== 'none';
  const body = `if (gi >= ${SIZE}) { return; }
    let K = ${K};
    if (gi < ${YSIZE}) {
      let t = gi % ${LEN};
      let bc = gi / ${LEN};
      var s = ${bias ? `B[bc % ${CH}]` : '0.0'};
      for (var j = 0u; j < K; j = j + 1u) { s = s + Wt[(bc % ${CH}) * K + j] * padded(bc, t + j, K); }
      ${silu ? 's = s * sigmoid_(s);' : ''}
      Y[gi] = ${narrow('s', outs[0]!.dtype)};
      return;
    }
    ${outs[1] ? `let si = gi - ${YSIZE};
    let bc = si / (K - 1u);
    S[si] = ${narrow(`padded(bc, ${LEN} + si % (K - 1u), K)`, outs[1].dtype)};` : ''}`;
  const padded = `fn padded(bc: u32, p: u32, K: u32) -> f32 {
  if (p < K - 1u) { return ${past ? 'P[bc * (K - 1u) + p]' : '0.0'}; }
  return X[bc * ${LEN} + p - (K - 1u)];
}
`;
  return {
    programs: [{
      key: `causalconv:${!!bias}:${!!past}:${silu}:${outs.length}:${outs.map((o) => o.dtype).join(',')}`,
      source: () => `${names.map((n, i) => storage(i, n, 'f32', n === 'Y' || n === 'S' ? 'read_write' : 'read')).join('')}${u.declare(names.length)}${SIGMOID}${padded}\n${linearMain(body)}`,
      bindings, uniforms: u, workgroups: linearDispatch(size),
    }],
  };
};
