// Pairs LSTM, GRU and RNN with their fast CPU kernels (src/cpu/rnn.ts); each falls back to the op's
// reference kernel for float16, activations other than the defaults, or without WebAssembly SIMD.
import { GRU } from '../ops/gru/gru.op.js';
import { LSTM } from '../ops/lstm/lstm.op.js';
import { registerFastCpuKernel } from '../ops/registry.js';
import { RNN } from '../ops/rnn/rnn.op.js';
import { recurrentFast } from './rnn.js';
import { wasmKernels } from './wasm-kernels.js';

registerFastCpuKernel(LSTM, ([x, w, r, b, lens, h0, c0, p], a, outputs) => {
  const wasm = wasmKernels();
  return wasm && recurrentFast(wasm, { kind: 'lstm', x: x!, w: w!, r: r!, b, lens, h0, c0, p, attrs: a, flag: a.input_forget, outputs });
});

registerFastCpuKernel(GRU, ([x, w, r, b, lens, h0], a, outputs) => {
  const wasm = wasmKernels();
  return wasm && recurrentFast(wasm, { kind: 'gru', x: x!, w: w!, r: r!, b, lens, h0, attrs: a, flag: a.linear_before_reset, outputs });
});

registerFastCpuKernel(RNN, ([x, w, r, b, lens, h0], a, outputs) => {
  const wasm = wasmKernels();
  return wasm && recurrentFast(wasm, { kind: 'rnn', x: x!, w: w!, r: r!, b, lens, h0, attrs: a, flag: 0, outputs });
});
