import type { GpuKernel } from '../../devices/webgpu/program.js';
import type { RNN } from './rnn.op.js';
import { recurrentLaunch } from './recurrent.wgsl.js';

// H_t = f(X_t·Wᵀ + H_{t-1}·Rᵀ + Wb + Rb), on the shared recurrent time loop.
export const rnnWgsl: GpuKernel<typeof RNN.attrs> = (ins, a, outs) => recurrentLaunch({
  op: 'RNN', key: '', gates: 1, states: 1, activations: 1, defaults: ['Tanh', 'Tanh'],
  body: 'let h = act0_(clip_(xw(0u) + rh(0u) + wb(0u) + rb(0u)));',
}, ins, a, outs);
