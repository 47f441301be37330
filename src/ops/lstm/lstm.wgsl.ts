import type { GpuKernel } from '../../devices/webgpu/program.js';
import { HIDDEN, recurrentLaunch } from '../rnn/recurrent.wgsl.js';
import type { LSTM } from './lstm.op.js';

// LSTM on the shared recurrent time loop, carrying h and c; gates i, o, f, c in W, R and B, the
// peepholes P in the order i, o, f.
export const lstmWgsl: GpuKernel<typeof LSTM.attrs> = (ins, a, outs) => {
  const hasP = Boolean(ins[7]);
  const peep = (k: number, c: string) => (hasP ? ` + P[(D * 3u + ${k}u) * ${HIDDEN} + J] * ${c}` : '');
  const forget = a.input_forget ? '1.0 - it' : `act0_(clip_(xw(2u) + rh(2u) + wb(2u) + rb(2u)${peep(2, 'cp')}))`;
  return recurrentLaunch({
    op: 'LSTM', key: `if${a.input_forget}:${hasP ? 'P' : ''}${ins[6] ? 'C' : ''}`, gates: 4, states: 2, activations: 3,
    defaults: ['Sigmoid', 'Tanh', 'Tanh'],
    extra: [...(ins[6] ? [{ name: 'C0', input: 6 }] : []), ...(hasP ? [{ name: 'P', input: 7 }] : [])],
    body: `let cp = Cs[CUR + SI];
    let it = act0_(clip_(xw(0u) + rh(0u) + wb(0u) + rb(0u)${peep(0, 'cp')}));
    let ft = ${forget};
    let ct = act1_(clip_(xw(3u) + rh(3u) + wb(3u) + rb(3u)));
    let c = ft * cp + it * ct;
    let ot = act0_(clip_(xw(1u) + rh(1u) + wb(1u) + rb(1u)${peep(1, 'c')}));
    let h = ot * act2_(c);
    Cs[NXT + SI] = c;`,
  }, ins, a, outs);
};
