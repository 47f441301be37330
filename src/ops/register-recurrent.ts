// Ops over token and time sequences: the recurrent layers RNN, GRU and LSTM, and TfIdfVectorizer's
// n-gram counts (TfIdfVectorizer runs on the CPU; the recurrent layers have WGSL time loops too).
import { registerOp } from './registry.js';
import { GRU } from './gru/gru.op.js';
import { gruCpu } from './gru/gru.cpu.js';
import { gruWgsl } from './gru/gru.wgsl.js';
import { LSTM } from './lstm/lstm.op.js';
import { lstmCpu } from './lstm/lstm.cpu.js';
import { lstmWgsl } from './lstm/lstm.wgsl.js';
import { RNN } from './rnn/rnn.op.js';
import { rnnCpu } from './rnn/rnn.cpu.js';
import { rnnWgsl } from './rnn/rnn.wgsl.js';
import { TfIdfVectorizer } from './tfidfvectorizer/tfidfvectorizer.op.js';
import { tfIdfVectorizerCpu } from './tfidfvectorizer/tfidfvectorizer.cpu.js';

registerOp(GRU, { cpu: gruCpu, webgpu: gruWgsl });
registerOp(LSTM, { cpu: lstmCpu, webgpu: lstmWgsl });
registerOp(RNN, { cpu: rnnCpu, webgpu: rnnWgsl });
registerOp(TfIdfVectorizer, { cpu: tfIdfVectorizerCpu });
