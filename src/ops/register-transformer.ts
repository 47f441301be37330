// Transformer-era ops: ONNX Attention, RotaryEmbedding, the opset 26/27 attention family, the
// loss ops and DynamicQuantizeLinear, and the com.microsoft ops that onnxruntime's transformer
// optimizer and Hugging Face Optimum put into exported models.
import { registerOp } from './registry.js';
import { Attention } from './attention/attention.op.js';
import { attentionCpu } from './attention/attention.cpu.js';
import { attentionWgsl } from './attention/attention.wgsl.js';
import { CausalConvWithState } from './causalconvwithstate/causalconvwithstate.op.js';
import { causalConvWithStateCpu } from './causalconvwithstate/causalconvwithstate.cpu.js';
import { causalConvWithStateWgsl } from './causalconvwithstate/causalconvwithstate.wgsl.js';
import { DynamicQuantizeLinear } from './dynamicquantizelinear/dynamicquantizelinear.op.js';
import { dynamicQuantizeLinearCpu } from './dynamicquantizelinear/dynamicquantizelinear.cpu.js';
import { dynamicQuantizeLinearWgsl } from './dynamicquantizelinear/dynamicquantizelinear.wgsl.js';
import { FlexAttention } from './flexattention/flexattention.op.js';
import { flexAttentionCpu } from './flexattention/flexattention.cpu.js';
import { LinearAttention } from './linearattention/linearattention.op.js';
import { linearAttentionCpu } from './linearattention/linearattention.cpu.js';
import { linearAttentionWgsl } from './linearattention/linearattention.wgsl.js';
import { NegativeLogLikelihoodLoss } from './negativeloglikelihoodloss/negativeloglikelihoodloss.op.js';
import { negativeLogLikelihoodLossCpu } from './negativeloglikelihoodloss/negativeloglikelihoodloss.cpu.js';
import { negativeLogLikelihoodLossWgsl } from './negativeloglikelihoodloss/negativeloglikelihoodloss.wgsl.js';
import { RotaryEmbedding } from './rotaryembedding/rotaryembedding.op.js';
import { rotaryEmbeddingCpu } from './rotaryembedding/rotaryembedding.cpu.js';
import { rotaryEmbeddingWgsl } from './rotaryembedding/rotaryembedding.wgsl.js';
import { SoftmaxCrossEntropyLoss } from './softmaxcrossentropyloss/softmaxcrossentropyloss.op.js';
import { softmaxCrossEntropyLossCpu } from './softmaxcrossentropyloss/softmaxcrossentropyloss.cpu.js';
import { softmaxCrossEntropyLossWgsl } from './softmaxcrossentropyloss/softmaxcrossentropyloss.wgsl.js';
import { MsAttention } from './ms-attention/ms-attention.op.js';
import { msAttentionCpu } from './ms-attention/ms-attention.cpu.js';
import { msAttentionWgsl } from './ms-attention/ms-attention.wgsl.js';
import { EmbedLayerNormalization } from './ms-embedlayernorm/ms-embedlayernorm.op.js';
import { embedLayerNormalizationCpu } from './ms-embedlayernorm/ms-embedlayernorm.cpu.js';
import { embedLayerNormWgsl } from './ms-embedlayernorm/ms-embedlayernorm.wgsl.js';
import { BiasGelu, FastGelu, MsGelu, QuickGelu } from './ms-gelu/ms-gelu.op.js';
import { biasGeluCpu, fastGeluCpu, msGeluCpu, quickGeluCpu } from './ms-gelu/ms-gelu.cpu.js';
import { biasGeluWgsl, fastGeluWgsl, msGeluWgsl, quickGeluWgsl } from './ms-gelu/ms-gelu.wgsl.js';
import { GroupQueryAttention } from './ms-groupqueryattention/ms-groupqueryattention.op.js';
import { groupQueryAttentionCpu } from './ms-groupqueryattention/ms-groupqueryattention.cpu.js';
import { groupQueryAttentionWgsl } from './ms-groupqueryattention/ms-groupqueryattention.wgsl.js';
import { SimplifiedLayerNormalization, SkipLayerNormalization, SkipSimplifiedLayerNormalization } from './ms-layernorm/ms-layernorm.op.js';
import { simplifiedLayerNormalizationCpu, skipLayerNormalizationCpu, skipSimplifiedLayerNormalizationCpu } from './ms-layernorm/ms-layernorm.cpu.js';
import { simplifiedLayerNormWgsl, skipLayerNormWgsl, skipSimplifiedLayerNormWgsl } from './ms-layernorm/ms-layernorm.wgsl.js';
import { matMulNBitsWgsl } from './ms-matmulnbits/ms-matmulnbits.wgsl.js';
import { MatMulNBits } from './ms-matmulnbits/ms-matmulnbits.op.js';
import { matMulNBitsCpu } from './ms-matmulnbits/ms-matmulnbits.cpu.js';
import { MultiHeadAttention } from './ms-multiheadattention/ms-multiheadattention.op.js';
import { multiHeadAttentionCpu } from './ms-multiheadattention/ms-multiheadattention.cpu.js';
import { multiHeadAttentionWgsl } from './ms-multiheadattention/ms-multiheadattention.wgsl.js';
import { MsRotaryEmbedding } from './ms-rotaryembedding/ms-rotaryembedding.op.js';
import { msRotaryEmbeddingCpu } from './ms-rotaryembedding/ms-rotaryembedding.cpu.js';
import { msRotaryEmbeddingWgsl } from './ms-rotaryembedding/ms-rotaryembedding.wgsl.js';

registerOp(Attention, { cpu: attentionCpu, webgpu: attentionWgsl });
registerOp(CausalConvWithState, { cpu: causalConvWithStateCpu, webgpu: causalConvWithStateWgsl });
registerOp(DynamicQuantizeLinear, { cpu: dynamicQuantizeLinearCpu, webgpu: dynamicQuantizeLinearWgsl });
registerOp(FlexAttention, { cpu: flexAttentionCpu });
registerOp(LinearAttention, { cpu: linearAttentionCpu, webgpu: linearAttentionWgsl });
registerOp(NegativeLogLikelihoodLoss, { cpu: negativeLogLikelihoodLossCpu, webgpu: negativeLogLikelihoodLossWgsl });
registerOp(RotaryEmbedding, { cpu: rotaryEmbeddingCpu, webgpu: rotaryEmbeddingWgsl });
registerOp(SoftmaxCrossEntropyLoss, { cpu: softmaxCrossEntropyLossCpu, webgpu: softmaxCrossEntropyLossWgsl });

// com.microsoft
registerOp(MsAttention, { cpu: msAttentionCpu, webgpu: msAttentionWgsl });
registerOp(BiasGelu, { cpu: biasGeluCpu, webgpu: biasGeluWgsl });
registerOp(EmbedLayerNormalization, { cpu: embedLayerNormalizationCpu, webgpu: embedLayerNormWgsl });
registerOp(FastGelu, { cpu: fastGeluCpu, webgpu: fastGeluWgsl });
registerOp(MsGelu, { cpu: msGeluCpu, webgpu: msGeluWgsl });
registerOp(GroupQueryAttention, { cpu: groupQueryAttentionCpu, webgpu: groupQueryAttentionWgsl });
registerOp(MatMulNBits, { cpu: matMulNBitsCpu, webgpu: matMulNBitsWgsl });
registerOp(MultiHeadAttention, { cpu: multiHeadAttentionCpu, webgpu: multiHeadAttentionWgsl });
registerOp(QuickGelu, { cpu: quickGeluCpu, webgpu: quickGeluWgsl });
registerOp(MsRotaryEmbedding, { cpu: msRotaryEmbeddingCpu, webgpu: msRotaryEmbeddingWgsl });
registerOp(SkipLayerNormalization, { cpu: skipLayerNormalizationCpu, webgpu: skipLayerNormWgsl });
registerOp(SkipSimplifiedLayerNormalization, { cpu: skipSimplifiedLayerNormalizationCpu, webgpu: skipSimplifiedLayerNormWgsl });
// onnxruntime defines SimplifiedLayerNormalization in the ai.onnx domain (none in com.microsoft)
registerOp(SimplifiedLayerNormalization, { cpu: simplifiedLayerNormalizationCpu, webgpu: simplifiedLayerNormWgsl });
