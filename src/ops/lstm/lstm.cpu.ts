import { clipper, resolveActivations } from '../_kernels/rnn-activation.js';
import { dotRow, floats, projectInputs, runRecurrent, type Cell } from '../_kernels/recurrent.js';
import type { CpuKernel } from '../op.js';
import type { LSTM } from './lstm.op.js';

const [I_GATE, O_GATE, F_GATE, C_GATE] = [0, 1, 2, 3];

export const lstmCpu: CpuKernel<typeof LSTM.attrs> = ([x, w, r, b, lens, h0, c0, p], a, outputs) => {
  const H = r!.shape[2]!;
  const dirs = a.direction === 'bidirectional' ? 2 : 1;
  const acts = resolveActivations(a.activations, a.activation_alpha, a.activation_beta, 3, dirs, ['Sigmoid', 'Tanh', 'Tanh']);
  const clip = clipper(a.clip);
  const R = floats(r!);
  const B = b?.numeric();
  const P = p?.numeric();
  const cell = (d: number): Cell => {
    const [f, g, h] = acts[d]!;
    const xw = projectInputs(x!, w!, d);
    const gates = new Float64Array(4 * H); // pre-activations without peepholes
    const peep = (gate: number, j: number) => (P ? P[d * 3 * H + gate * H + j]! : 0); // P order: i, o, f
    return (row, [hState, cState]) => {
      for (let k = 0; k < 4 * H; k++) {
        const bias = B ? B[d * 8 * H + k]! + B[d * 8 * H + 4 * H + k]! : 0;
        gates[k] = xw[row * 4 * H + k]! + dotRow(R, d * 4 * H + k, H, hState!) + bias;
      }
      for (let j = 0; j < H; j++) {
        const cPrev = cState![j]!;
        const it = f!(clip(gates[I_GATE * H + j]! + peep(0, j) * cPrev));
        const ft = a.input_forget ? 1 - it : f!(clip(gates[F_GATE * H + j]! + peep(2, j) * cPrev));
        const ct = g!(clip(gates[C_GATE * H + j]!));
        const C = ft * cPrev + it * ct;
        const ot = f!(clip(gates[O_GATE * H + j]! + peep(1, j) * C));
        cState![j] = C;
        hState![j] = ot * h!(C);
      }
    };
  };
  return runRecurrent({ x: x!, layout: a.layout, hidden: H, direction: a.direction, sequenceLens: lens, initial: [h0, c0], cell, outputs });
};
