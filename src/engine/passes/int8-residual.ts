// The shortcut an int8 layer adds (its residual) read as quantized integers, dequantized in the
// epilogue, instead of as floats.
// Explicit quantization: a residual written by a lone DequantizeLinear (a pointwise dequantize of a
// quantized tensor) is read as those integers: the same values, one float tensor and its pass
// fewer, and the integers can stay bytes (int8-storage).
// Implicit quantization (a calibrated build): a float residual that is also quantized for an int8
// layer (a ResNet block's input, quantized for the block's first convolutions) is read as those
// integers too, as TensorRT's implicit int8 does. The layer that wrote the float then has the
// quantize as its only reader and folds it into its epilogue: the block's output is written once,
// as bytes, instead of as floats plus a quantize pass over them. A float residual written by an
// int8 layer for this layer alone (ResNet's downsampling shortcut) is requantized by its writer
// at its own calibrated scale (int8, or uint8 after a ReLU), and read as those integers. Either way the sum then
// carries the shortcut's rounding to its calibrated scale (half a step at most).
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
      if (!quantize) {
        const scale = ctx.int8.get(l.residual);
        const alone = (consumers(net).get(l.residual) ?? []).length === 1 && !isBoundary(net, l.residual);
        if (writer?.kind !== 'qlinear' || writer.y || !alone || !(scale && scale > 0) || net.tensors.get(l.residual)?.dtype === 'int32') continue;
        // (after a ReLU, uint8 over [0, amax]: half the step, as quantize-implicit does)
        writer.y = writer.relu && !writer.act ? { scale: Math.fround((scale * 127) / 255), zeroPoint: 0, signed: false } : { scale: Math.fround(scale), zeroPoint: 0, signed: true };
        l.residualQuant = { scale: writer.y.scale, zeroPoint: 0 };
        ctx.change(`${l.name}: residual ${l.residual} written as ${writer.y.signed ? 'int8' : 'uint8'} by ${writer.name} at its calibrated scale ${writer.y.scale}, read as those integers`);
        continue;
      }
      const q = matchQuantize(quantize)!;
      const float = l.residual;
      l.residual = quantize.output;
      l.residualQuant = { scale: q.scale, zeroPoint: q.zeroPoint };
      const folded = writer?.kind === 'qlinear' && !writer.y ? fuseInt8Epilogue(net, writer) : [];
      ctx.change(`${l.name}: residual ${float} read as its quantized copy ${quantize.output}${folded.length ? `; ${writer!.name} writes it directly (${folded.join(', ')})` : ''}`);
    }
  },
};
