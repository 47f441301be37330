// Transformer-era ops: ONNX Attention, RotaryEmbedding, the opset 26/27 attention family, the
// loss ops and DynamicQuantizeLinear, and the com.microsoft ops that onnxruntime's transformer
// optimizer and Hugging Face Optimum put into exported models.
import { registerOp } from './registry.js';
import { Attention } from './attention/attention.op.js';
import { attentionCpu } from './attention/attention.cpu.js';

registerOp(Attention, { cpu: attentionCpu });
