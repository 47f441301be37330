// Ops over token and time sequences: the recurrent layers RNN, GRU and LSTM, and TfIdfVectorizer's
// n-gram counts (CPU reference kernels; the WebGPU executor runs them through its CPU fallback).
import { registerOp } from './registry.js';
import { GRU } from './gru/gru.op.js';
import { gruCpu } from './gru/gru.cpu.js';
import { LSTM } from './lstm/lstm.op.js';
import { lstmCpu } from './lstm/lstm.cpu.js';
import { RNN } from './rnn/rnn.op.js';
import { rnnCpu } from './rnn/rnn.cpu.js';
import { TfIdfVectorizer } from './tfidfvectorizer/tfidfvectorizer.op.js';
import { tfIdfVectorizerCpu } from './tfidfvectorizer/tfidfvectorizer.cpu.js';

registerOp(GRU, { cpu: gruCpu });
registerOp(LSTM, { cpu: lstmCpu });
registerOp(RNN, { cpu: rnnCpu });
registerOp(TfIdfVectorizer, { cpu: tfIdfVectorizerCpu });
