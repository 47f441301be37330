// The shortcut an int8 layer adds (its residual) read as quantized integers, dequantized in the
// epilogue, instead of as floats.
// Explicit quantization: a residual written by a lone DequantizeLinear (a pointwise dequantize of a
// quantized tensor) is read as those integers: the same values, one float tensor and its pass
// fewer, and the integers can stay bytes (int8-storage).
// Implicit quantization (a calibrated build): a float residual that is also quantized for an int8
// layer (a ResNet block's input, quantized for the block's first convolutions) is read as those
// integers too, as TensorRT's implicit int8 does. The layer that wrote the float then has the
// quantize as its only reader and folds it into its epilogue: the block's output is written once,
// as bytes, instead of as floats plus a quantize pass over them. The sum then carries the
// shortcut's rounding to its calibrated scale (half a step at most).
import { matchDequantize, matchQuantize } from '../layers/quantize.js';
import type { PointwiseLayer } from '../network.js';
import { fuseInt8Epilogue } from './int8-layers.js';
import type { EnginePass } from './pass.js';
import { consumers, isBoundary, producers } from './net-utils.js';

export const int8ResidualPass: EnginePass = {
  name: 'int8-residual',
  description: 'int8 layers read a dequantized shortcut as its integers (and, in a calibrated build, a float shortcut that is also quantized as that quantized copy)',
  run(net, ctx) {
    for (const l of [...net.layers]) {
      if (l.kind !== 'qlinear' || !l.residual || l.residualQuant) continue;
      const writer = producers(net).get(l.residual);
      const dq = writer?.kind === 'pointwise' ? matchDequantize(writer) : undefined;
      if (writer?.kind === 'pointwise' && dq) {
        l.residual = writer.inputs[0]!;
        l.residualQuant = { scale: dq.scale, zeroPoint: dq.zeroPoint };
        ctx.change(`${l.name}: residual ${writer.output} read as the integers ${l.residual} (its dequantize in the epilogue)`);
        if (!(consumers(net).get(writer.output)?.length) && !isBoundary(net, writer.output)) {
          net.layers.splice(net.layers.indexOf(writer), 1);
          net.tensors.delete(writer.output);
        }
        continue;
      }
      if (!ctx.int8) continue;
      const at = net.layers.indexOf(l);
      const quantize = (consumers(net).get(l.residual) ?? []).find((r): r is PointwiseLayer =>
        r.kind === 'pointwise' && matchQuantize(r) !== undefined && net.layers.indexOf(r) < at);
      if (!quantize) continue;
      const q = matchQuantize(quantize)!;
      const float = l.residual;
      l.residual = quantize.output;
      l.residualQuant = { scale: q.scale, zeroPoint: q.zeroPoint };
      const folded = writer?.kind === 'qlinear' && !writer.y ? fuseInt8Epilogue(net, writer) : [];
      ctx.change(`${l.name}: residual ${float} read as its quantized copy ${quantize.output}${folded.length ? `; ${writer!.name} writes it directly (${folded.join(', ')})` : ''}`);
    }
  },
};
