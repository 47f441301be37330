// An int8 layer that writes float takes the activation after it into its epilogue once the
// activation is recognised: GELU written as Erf arithmetic (fuse-gelu), SiLU as x·sigmoid(x),
// HardSwish, Clip ... and, when the pointwise layer after it also quantizes for the next int8
// layer (fuse-pointwise joined the two), the requantization too. BERT's feed-forward then runs
// int8 GEMM + bias + GELU + requantize in one dispatch instead of two, MobileNetV3's convs with
// their HardSwish. Runs after fuse-gelu; the int8 passes fold what they see earlier (a lone Relu,
// a QuantizeLinear) themselves.
import type { EnginePass } from './pass.js';
import { fuseInt8Epilogue } from './int8-layers.js';

export const fuseInt8EpiloguePass: EnginePass = {
  name: 'fuse-int8-epilogue',
  description: 'an int8 layer writing float takes the activation (and the quantize) after it',
  run(net, ctx) {
    for (const l of [...net.layers]) {
      // (MatMulInteger / ConvInteger write int32 sums: nothing to take)
      if (l.kind !== 'qlinear' || l.y || net.tensors.get(l.output)?.dtype === 'int32') continue;
      const fused = fuseInt8Epilogue(net, l);
      if (fused.length) ctx.change(`${l.name}: fused ${fused.join(', ')}`);
    }
  },
};
