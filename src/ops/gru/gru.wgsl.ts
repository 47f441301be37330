import type { GpuKernel } from '../../devices/webgpu/program.js';
import { HIDDEN, recurrentLaunch } from '../rnn/recurrent.wgsl.js';
import type { GRU } from './gru.op.js';

// GRU on the shared recurrent time loop: a pre-step program writes every unit's reset gate r_t
// (scratch Gs), which the step needs whole for (r_t ⊙ H_{t-1})·Rhᵀ when linear_before_reset = 0.
export const gruWgsl: GpuKernel<typeof GRU.attrs> = (ins, a, outs) => {
  const recur = a.linear_before_reset
    ? 'let recur = Gs[SI] * (rh(2u) + rb(2u));'
    : `var acc = 0.0;
    let r0 = ((D * 3u + 2u) * ${HIDDEN} + J) * ${HIDDEN};
    let g0 = HP - CUR;
    for (var k = 0u; k < ${HIDDEN}; k = k + 1u) { acc = acc + R[r0 + k] * Gs[g0 + k] * Hs[HP + k]; }
    let recur = acc + rb(2u);`;
  return recurrentLaunch({
    op: 'GRU', key: `lbr${a.linear_before_reset}`, gates: 3, states: 1, activations: 2, defaults: ['Sigmoid', 'Tanh'],
    preStep: 'Gs[SI] = act0_(clip_(xw(1u) + rh(1u) + wb(1u) + rb(1u)));',
    body: `let z = act0_(clip_(xw(0u) + rh(0u) + wb(0u) + rb(0u)));
    ${recur}
    let hn = act1_(clip_(xw(2u) + wb(2u) + recur));
    let h = (1.0 - z) * hn + z * Hs[HP + J];`,
  }, ins, a, outs);
};
