// Recurrent layers: RNN, GRU and LSTM (CPU reference kernels; the WebGPU executor runs them through
// its CPU fallback).
import { registerOp } from './registry.js';
import { GRU } from './gru/gru.op.js';
import { gruCpu } from './gru/gru.cpu.js';
import { LSTM } from './lstm/lstm.op.js';
import { lstmCpu } from './lstm/lstm.cpu.js';
import { RNN } from './rnn/rnn.op.js';
import { rnnCpu } from './rnn/rnn.cpu.js';

registerOp(GRU, { cpu: gruCpu });
registerOp(LSTM, { cpu: lstmCpu });
registerOp(RNN, { cpu: rnnCpu });
