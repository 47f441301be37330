// Transformer-era ops: ONNX Attention, RotaryEmbedding, the opset 26/27 attention family, the
// loss ops and DynamicQuantizeLinear, and the com.microsoft ops that onnxruntime's transformer
// optimizer and Hugging Face Optimum put into exported models.
import { registerOp } from './registry.js';
import { Attention } from './attention/attention.op.js';
import { attentionCpu } from './attention/attention.cpu.js';
import { CausalConvWithState } from './causalconvwithstate/causalconvwithstate.op.js';
import { causalConvWithStateCpu } from './causalconvwithstate/causalconvwithstate.cpu.js';
import { DynamicQuantizeLinear } from './dynamicquantizelinear/dynamicquantizelinear.op.js';
import { dynamicQuantizeLinearCpu } from './dynamicquantizelinear/dynamicquantizelinear.cpu.js';
import { FlexAttention } from './flexattention/flexattention.op.js';
import { flexAttentionCpu } from './flexattention/flexattention.cpu.js';
import { LinearAttention } from './linearattention/linearattention.op.js';
import { linearAttentionCpu } from './linearattention/linearattention.cpu.js';
import { NegativeLogLikelihoodLoss } from './negativeloglikelihoodloss/negativeloglikelihoodloss.op.js';
import { negativeLogLikelihoodLossCpu } from './negativeloglikelihoodloss/negativeloglikelihoodloss.cpu.js';
import { RotaryEmbedding } from './rotaryembedding/rotaryembedding.op.js';
import { rotaryEmbeddingCpu } from './rotaryembedding/rotaryembedding.cpu.js';
import { SoftmaxCrossEntropyLoss } from './softmaxcrossentropyloss/softmaxcrossentropyloss.op.js';
import { softmaxCrossEntropyLossCpu } from './softmaxcrossentropyloss/softmaxcrossentropyloss.cpu.js';

registerOp(Attention, { cpu: attentionCpu });
registerOp(CausalConvWithState, { cpu: causalConvWithStateCpu });
registerOp(DynamicQuantizeLinear, { cpu: dynamicQuantizeLinearCpu });
registerOp(FlexAttention, { cpu: flexAttentionCpu });
registerOp(LinearAttention, { cpu: linearAttentionCpu });
registerOp(NegativeLogLikelihoodLoss, { cpu: negativeLogLikelihoodLossCpu });
registerOp(RotaryEmbedding, { cpu: rotaryEmbeddingCpu });
registerOp(SoftmaxCrossEntropyLoss, { cpu: softmaxCrossEntropyLossCpu });
