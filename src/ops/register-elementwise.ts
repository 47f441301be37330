// Unary math, activations, binary arithmetic and comparisons, Where, Cast, Identity, Dropout.
import { registerOp } from './registry.js';
import { Relu } from './relu/relu.op.js';
import { reluCpu } from './relu/relu.cpu.js';

registerOp(Relu, { cpu: reluCpu });
