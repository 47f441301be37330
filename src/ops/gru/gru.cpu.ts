import { clipper, resolveActivations } from '../_kernels/rnn-activation.js';
import { dotRow, floats, projectInputs, runRecurrent, type Cell } from '../_kernels/recurrent.js';
import type { CpuKernel } from '../op.js';
import type { GRU } from './gru.op.js';

export const gruCpu: CpuKernel<typeof GRU.attrs> = ([x, w, r, b, lens, h0], a, outputs) => {
  const H = r!.shape[2]!;
  const dirs = a.direction === 'bidirectional' ? 2 : 1;
  const acts = resolveActivations(a.activations, a.activation_alpha, a.activation_beta, 2, dirs, ['Sigmoid', 'Tanh']);
  const clip = clipper(a.clip);
  const R = floats(r!);
  const B = b?.numeric();
  const cell = (d: number): Cell => {
    const [f, g] = acts[d]!;
    const xw = projectInputs(x!, w!, d);
    const rRow = (gate: number, j: number) => d * 3 * H + gate * H + j; // row of R
    const wb = (gate: number, j: number) => (B ? B[d * 6 * H + gate * H + j]! : 0);
    const rb = (gate: number, j: number) => (B ? B[d * 6 * H + 3 * H + gate * H + j]! : 0);
    const z = new Float64Array(H);
    const reset = new Float64Array(H);
    const rh = new Float64Array(H); // r_t ⊙ H_{t-1}
    const hNew = new Float64Array(H);
    return (row, [h]) => {
      const xAt = row * 3 * H;
      for (let j = 0; j < H; j++) {
        z[j] = f!(clip(xw[xAt + j]! + dotRow(R, rRow(0, j), H, h!) + wb(0, j) + rb(0, j)));
        reset[j] = f!(clip(xw[xAt + H + j]! + dotRow(R, rRow(1, j), H, h!) + wb(1, j) + rb(1, j)));
        rh[j] = reset[j]! * h![j]!;
      }
      for (let j = 0; j < H; j++) {
        const xh = xw[xAt + 2 * H + j]! + wb(2, j);
        const recur = a.linear_before_reset
          ? reset[j]! * (dotRow(R, rRow(2, j), H, h!) + rb(2, j))
          : dotRow(R, rRow(2, j), H, rh) + rb(2, j);
        hNew[j] = g!(clip(xh + recur));
      }
      for (let j = 0; j < H; j++) h![j] = (1 - z[j]!) * hNew[j]! + z[j]! * h![j]!;
    };
  };
  return runRecurrent({ x: x!, layout: a.layout, hidden: H, direction: a.direction, sequenceLens: lens, initial: [h0], cell, outputs });
};
