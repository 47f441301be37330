// Folds a per-channel scale and shift (an inference BatchNormalization, or a Mul/Add by per-channel
// constants) that directly follows a conv or gemm into that layer's weights and bias:
//   a·(W⋆x + b) + s = (a·W)⋆x + (a·b + s), per output channel.
import type { ConvLayer, GemmLayer, Layer, Network, PointwiseLayer } from '../network.js';
import type { EnginePass, PairRule } from './pass.js';
import { applyPairRules } from './pass.js';
import { affineOf, type Affine } from './pw-expr.js';

type Matrix = ConvLayer | GemmLayer;

const channelsOf = (l: Matrix): number => (l.kind === 'conv' ? l.weightShape[0] : l.n);

/** The per-channel affine map the consumer applies to the producer's output, if it is one. */
function scaleShift(p: Matrix, c: PointwiseLayer, net: Network): Affine | undefined {
  const out = net.tensors.get(c.output)!.shape;
  const mid = net.tensors.get(p.output)!.shape;
  if (out.length !== mid.length || out.some((d, i) => d !== mid[i])) return undefined;
  return affineOf(c, p.output, channelsOf(p), out);
}

/** Weights and bias with output channel o scaled by a[o] and shifted by s[o]. */
export function foldAffine(l: Matrix, { scale, shift }: Affine): { weights: Float32Array; bias: Float32Array } {
  const weights = new Float32Array(l.weights.length);
  if (l.kind === 'conv') {
    // output channel o owns the contiguous block [o·block, (o+1)·block) of the OIHW weights
    const block = l.weights.length / l.weightShape[0];
    for (let o = 0, i = 0; o < l.weightShape[0]; o++) {
      const a = scale[o]!;
      for (const end = i + block; i < end; i++) weights[i] = l.weights[i]! * a;
    }
  } else {
    for (let row = 0; row < weights.length; row += l.n) {
      for (let j = 0; j < l.n; j++) weights[row + j] = l.weights[row + j]! * scale[j]!;
    }
  }
  const bias = new Float32Array(scale.length);
  for (let o = 0; o < bias.length; o++) bias[o] = (l.bias?.[o] ?? 0) * scale[o]! + shift[o]!;
  return { weights, bias };
}

const foldScaleShift: PairRule<Matrix, PointwiseLayer> = {
  name: 'a·(conv(x) + b) + s → conv with weights a·W and bias a·b + s',
  producer: ['conv', 'gemm'],
  consumer: ['pointwise'],
  match(p, c, net) {
    if (p.residual || p.act.kind !== 'none') return false;
    const affine = scaleShift(p, c, net);
    // Pure shifts (scale 1) are bias adds: fuse-epilogue takes those.
    return !!affine && affine.scale.some((a) => a !== 1);
  },
  rewrite(p, c, net) {
    const { weights, bias } = foldAffine(p, scaleShift(p, c, net)!);
    const layer: Layer = { ...p, weights, bias, output: c.output, from: [...p.from, ...c.from] };
    return { layer, log: `folded ${c.from.join(' + ')} into ${p.kind} ${p.name}` };
  },
};

export const foldBatchNormPass: EnginePass = {
  name: 'fold-batchnorm',
  description: 'fold per-channel scale/shift (BatchNormalization) into the preceding conv/gemm',
  run(net, ctx) {
    applyPairRules(net, [foldScaleShift as PairRule], ctx);
  },
};
