// A max pool between an int8 layer and a quantize runs on the integers: the layer requantizes in
// its epilogue at the quantize's scale and the pool takes the max of those integers, which is the
// quantize of the float max (rounding, offset and clamp never reverse an order). The float tensor
// before the pool and the quantize pass after it go; the pool's input and output can then be
// bytes (int8-storage), as in ResNet's stem: conv → ReLU → 3×3 max pool → quantize for the first
// block. TensorRT runs such pools in int8 too. The CPU engine leaves this pass out.
import { matchQuantize } from '../layers/quantize.js';
import type { EnginePass } from './pass.js';
import { consumers, isBoundary, producers } from './net-utils.js';

export const int8MaxPoolPass: EnginePass = {
  name: 'int8-max-pool',
  description: 'a max pool between an int8 layer and a quantize runs on the integers: the layer requantizes, the quantize pass goes',
  run(net, ctx) {
    for (const pool of [...net.layers]) {
      if (pool.kind !== 'pool' || pool.op !== 'max' || pool.quantized) continue;
      const readers = consumers(net);
      const after = readers.get(pool.output) ?? [];
      const quantize = after.length === 1 && after[0]!.kind === 'pointwise' ? after[0] : undefined;
      const q = quantize?.kind === 'pointwise' ? matchQuantize(quantize) : undefined;
      const writer = producers(net).get(pool.input);
      if (!quantize || !q || isBoundary(net, pool.output) || isBoundary(net, pool.input)) continue;
      if (writer?.kind !== 'qlinear' || writer.y || (readers.get(pool.input) ?? []).length !== 1) continue;
      writer.y = q;
      pool.quantized = q;
      net.layers.splice(net.layers.indexOf(quantize), 1);
      net.tensors.delete(pool.output);
      pool.output = quantize.output;
      pool.from.push(...quantize.from);
      ctx.change(`${pool.name} takes the max of the integers ${writer.name} writes at ${quantize.name}'s scale ${q.scale} (${q.signed ? 'int8' : 'uint8'}); ${quantize.name} folded`);
    }
  },
};
