// Implicit quantization (an int8 build with a calibration cache): each conv or gemm layer whose
// input tensor has a calibrated scale reads that tensor quantized to int8 (symmetric, zero point
// 0, one quantize layer per tensor shared by its readers) and runs as an int8 layer with
// per-channel symmetric weights; its bias add and a Relu after it fold into its epilogue; its output is float,
// unless only the next int8 layer's quantize layer reads it: then that quantize folds in too.
// Layers pinned by --layer-precision stay float. Runs after BatchNorm folding (the folded
// weights are the ones quantized) and before epilogue fusion (the int8 epilogue takes bias and
// ReLU, not residual adds).
import { CalibrationError } from '../../errors.js';
import { quantizeExpr } from '../layers/quantize.js';
import type { Layer, Network, PointwiseLayer, QLinearLayer } from '../network.js';
import { PLAIN_F32 } from '../network.js';
import { fuseInt8Epilogue, toQLinear } from './int8-layers.js';
import { applyPairRules, type EnginePass, type PassContext } from './pass.js';
import { BIAS_RULES } from './fuse-epilogue.js';
import { freshLayerName, producers } from './net-utils.js';
import { activationOf } from './pw-expr.js';

const pinned = (l: Layer, ctx: PassContext) => Object.keys(ctx.layerPrecision).some((name) => l.name === name || l.from.includes(name));

/** A fresh tensor name derived from `base`. */
function freshTensor(net: Network, base: string): string {
  let name = `${base}/int8`;
  for (let i = 1; net.tensors.has(name); i++) name = `${base}/int8_${i}`;
  return name;
}

/** True when `tensor` cannot be negative: a ReLU wrote it (a pointwise ReLU, or a layer whose epilogue ends in one). */
function nonNegative(net: Network, tensor: string): boolean {
  const p = producers(net).get(tensor);
  if (!p) return false;
  if (p.kind === 'pointwise') return p.inputs.length === 1 && activationOf(p.expr, 0)?.kind === 'relu';
  if (p.kind === 'qlinear') return p.relu && !p.y;
  return (p.kind === 'conv' || p.kind === 'gemm') && p.act.kind === 'relu';
}

export const quantizeImplicitPass: EnginePass = {
  name: 'quantize-implicit',
  description: 'int8 build: conv/gemm layers read their calibrated input quantized to int8 and run as int8 layers',
  run(net, ctx) {
    if (!ctx.int8) return;
    const scales = ctx.int8;
    // a Linear's or conv's bias add (MatMul + Add in ONNX) joins the layer first, so the int8
    // layer adds it to its int32 sums (as TensorRT does) instead of a float layer after it
    applyPairRules(net, BIAS_RULES, ctx);
    const quantized = new Map<string, string>();
    const missing: { layer: string; tensor: string }[] = [];
    for (const l of [...net.layers]) {
      if (l.kind !== 'conv' && l.kind !== 'gemm') continue;
      if (pinned(l, ctx)) {
        ctx.change(`${l.name} stays float: pinned by --layer-precision`);
        continue;
      }
      const scale = scales.get(l.input);
      if (scale === undefined) {
        missing.push({ layer: l.name, tensor: l.input });
        continue;
      }
      if (!(scale > 0)) {
        ctx.change(`${l.name} stays float: tensor ${l.input} has the scale ${scale} (it was constant zero in calibration)`);
        continue;
      }
      // The cache's scale is amax/127 (symmetric int8); a tensor that is ≥ 0 by construction (a
      // ReLU's output) spends all 256 levels of uint8 on [0, amax] instead: half the step.
      const x = nonNegative(net, l.input) ? { scale: Math.fround((scale * 127) / 255), zeroPoint: 0, signed: false } : { scale: Math.fround(scale), zeroPoint: 0, signed: true };
      let q = quantized.get(l.input);
      const made = toQLinear(l, q ?? '', x);
      if (typeof made === 'string') {
        ctx.change(`${l.name} stays float: ${made}`);
        continue;
      }
      if (!q) {
        q = freshTensor(net, l.input);
        const qLayer: PointwiseLayer = { kind: 'pointwise', name: freshLayerName(net, `${l.name}/quantize`), from: [], inputs: [l.input], output: q, expr: quantizeExpr(x) };
        net.tensors.set(q, { name: q, shape: [...net.tensors.get(l.input)!.shape], format: { ...PLAIN_F32 } });
        net.layers.splice(net.layers.indexOf(l), 0, qLayer);
        quantized.set(l.input, q);
      }
      made.input = q;
      net.layers[net.layers.indexOf(l)] = made;
      const fused = fuseInt8Epilogue(net, made as QLinearLayer);
      ctx.change(`${l.name} (${l.kind}) → int8 ${made.op}: input ${l.input} at scale ${x.scale}${fused.length ? `, fused ${fused.join(', ')}` : ''}`);
    }
    // an int8 layer whose float output only the next int8 layer's quantize layer reads requantizes
    // into that layer's scale instead: the float tensor between them disappears (and the integers
    // can travel as bytes: the int8-storage pass)
    for (const l of [...net.layers]) {
      if (l.kind !== 'qlinear' || l.y) continue;
      const fused = fuseInt8Epilogue(net, l);
      if (fused.length) ctx.change(`${l.name} requantizes its output: fused ${fused.join(', ')}`);
    }
    if (missing.length) {
      const list = missing.slice(0, 5).map((m) => `'${m.tensor}' (input of ${m.layer})`).join(', ');
      throw new CalibrationError(`the calibration cache has no scale for tensor${missing.length > 1 ? 's' : ''} ${list}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`, {
        hint: `calibrate this model again (nnrt calibrate), or keep those layers float with --layer-precision ${missing.slice(0, 3).map((m) => `${m.layer}=fp32`).join(',')}`,
      });
    }
  },
};
