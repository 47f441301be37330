import { clipper, resolveActivations } from '../_kernels/rnn-activation.js';
import { dotRow, floats, projectInputs, runRecurrent, type Cell } from '../_kernels/recurrent.js';
import type { CpuKernel } from '../op.js';
import type { RNN } from './rnn.op.js';

export const rnnCpu: CpuKernel<typeof RNN.attrs> = ([x, w, r, b, lens, h0], a, outputs) => {
  const H = r!.shape[2]!;
  const dirs = a.direction === 'bidirectional' ? 2 : 1;
  const acts = resolveActivations(a.activations, a.activation_alpha, a.activation_beta, 1, dirs, ['Tanh', 'Tanh']);
  const clip = clipper(a.clip);
  const R = floats(r!);
  const B = b?.numeric();
  const cell = (d: number): Cell => {
    const [f] = acts[d]!;
    const xw = projectInputs(x!, w!, d);
    const pre = new Float64Array(H);
    return (row, [h]) => {
      for (let j = 0; j < H; j++) {
        const bias = B ? B[d * 2 * H + j]! + B[d * 2 * H + H + j]! : 0;
        pre[j] = xw[row * H + j]! + dotRow(R, d * H + j, H, h!) + bias;
      }
      for (let j = 0; j < H; j++) h![j] = f!(clip(pre[j]!));
    };
  };
  return runRecurrent({ x: x!, layout: a.layout, hidden: H, direction: a.direction, sequenceLens: lens, initial: [h0], cell, outputs });
};
