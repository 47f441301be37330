// Explicit quantization (TensorRT's Q/DQ networks): a conv or gemm whose input is a
// DequantizeLinear of quantized integers becomes an int8 layer reading those integers, with its
// weights (a folded DequantizeLinear of int8 weights, or float weights) as symmetric int8; a Relu
// and the QuantizeLinear after it fold into its epilogue. DQ layers nothing reads any more go.
// Runs before BatchNorm folding, which would otherwise fold the input DQ's affine map away.
import { matchDequantize, matchQuantize } from '../layers/quantize.js';
import type { Network, QLinearLayer } from '../network.js';
import { fuseInt8Epilogue, toQLinear } from './int8-layers.js';
import type { EnginePass } from './pass.js';
import { consumers, isBoundary, producers } from './net-utils.js';

/** Removes `name`'s writer when nothing reads it and it is not an output. */
function dropIfDead(net: Network, name: string): void {
  if (isBoundary(net, name) || consumers(net).has(name)) return;
  const w = producers(net).get(name);
  if (w) net.layers.splice(net.layers.indexOf(w), 1);
  net.tensors.delete(name);
}

export const quantizeExplicitPass: EnginePass = {
  name: 'quantize-explicit',
  description: 'DequantizeLinear → Conv/Gemm/MatMul (→ Relu) (→ QuantizeLinear) as one int8 layer',
  run(net, ctx) {
    for (const l of [...net.layers]) {
      if (l.kind !== 'conv' && l.kind !== 'gemm') continue;
      const dq = producers(net).get(l.input);
      const deq = dq?.kind === 'pointwise' ? matchDequantize(dq) : undefined;
      if (!dq || dq.kind !== 'pointwise' || !deq) continue;
      // the integers come from a QuantizeLinear, or from an int8 layer this pass already made that
      // requantizes (conv → Q → DQ → conv: the first conv took the Q into its epilogue)
      const q = producers(net).get(dq.inputs[0]!);
      const quant = q?.kind === 'pointwise' ? matchQuantize(q) : q?.kind === 'qlinear' ? q.y : undefined;
      if (!quant) {
        ctx.change(`${l.name} stays float: its input ${l.input} is dequantized from ${dq.inputs[0]}, which no QuantizeLinear or requantizing int8 layer in the engine writes`);
        continue;
      }
      const made = toQLinear(l, dq.inputs[0]!, { ...deq, signed: quant.signed });
      if (typeof made === 'string') {
        ctx.change(`${l.name} stays float: ${made}`);
        continue;
      }
      net.layers[net.layers.indexOf(l)] = made;
      dropIfDead(net, dq.output);
      const fused = fuseInt8Epilogue(net, made as QLinearLayer);
      ctx.change(`${l.name} (${l.kind}) → int8 ${made.op}: input ${made.input} (scale ${made.x.scale}, zero point ${made.x.zeroPoint}), ${made.weightScales.length === 1 ? 'per-tensor' : 'per-channel'} weights${fused.length ? `, fused ${fused.join(', ')}` : ''}`);
    }
  },
};
