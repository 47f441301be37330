// Fuses what follows a conv or gemm into its epilogue, y = act(conv(x) + bias + residual), in that
// order: a per-channel bias add (and a scale by one constant, folded into weights and bias) (for a gemm also a bias [N] broadcast over rows), then an Add of another tensor of the output's shape (ResNet's
// shortcut), then one activation. Also recognises x·sigmoid(x) as the SiLU activation first. An
// int8 layer writing float takes the shortcut add too.
import type { Activation, ConvLayer, GemmLayer, Layer, Network, PointwiseLayer, QLinearLayer } from '../network.js';
import type { EnginePass, PairRule, PassContext } from './pass.js';
import { applyPairRules } from './pass.js';
import { act, activationOf, affineOf, constOperandIndex, input, isConstOperand, isShaped, scalarFactorOf } from './pw-expr.js';
import { consumers, isBoundary } from './net-utils.js';

type Matrix = ConvLayer | GemmLayer;

const shapeOf = (net: Network, t: string) => net.tensors.get(t)!.shape;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const channelsOf = (l: Matrix): number => (l.kind === 'conv' ? l.weightShape[0] : l.n);
const merged = (p: Matrix, c: Layer, extra: Partial<Matrix>): Layer =>
  ({ ...p, ...extra, output: c.output, from: [...p.from, ...c.from] }) as Layer;

/** conv(x) + b → conv with bias b (per-channel constant, scale 1). */
const fuseBias: PairRule<Matrix, PointwiseLayer> = {
  name: 'conv(x) + b[c] → conv with bias',
  producer: ['conv', 'gemm'],
  consumer: ['pointwise'],
  match(p, c, net) {
    if (p.residual || p.act.kind !== 'none' || !sameShape(shapeOf(net, c.output), shapeOf(net, p.output))) return false;
    const affine = affineOf(c, p.output, channelsOf(p), shapeOf(net, c.output));
    return !!affine && affine.scale.every((a) => a === 1);
  },
  rewrite(p, c, net) {
    const { shift } = affineOf(c, p.output, channelsOf(p), shapeOf(net, c.output))!;
    const bias = shift.map((s, o) => s + (p.bias?.[o] ?? 0));
    return { layer: merged(p, c, { bias }) };
  },
};

/** The [N] values of `c` = t + b when b is a constant that varies along the last axis only (a Linear's bias). */
function rowBiasOf(c: PointwiseLayer, t: string, n: number): Float32Array | undefined {
  const e = c.expr;
  if (c.inputs.length !== 2 || e.op !== 'binary' || e.fn !== 'add' || e.a.op !== 'input' || e.b.op !== 'input') return undefined;
  const [a, b] = [c.inputs[e.a.index]!, c.inputs[e.b.index]!];
  const k = a === t && isConstOperand(b) ? b : b === t && isConstOperand(a) ? a : undefined;
  const constant = k === undefined ? undefined : c.constants?.[constOperandIndex(k)];
  if (!constant || !isShaped(constant)) return undefined;
  const dims = constant.shape;
  return dims.length > 0 && dims[dims.length - 1] === n && dims.slice(0, -1).every((d) => d === 1) ? constant.values : undefined;
}

/** gemm(x) + b[N] (b broadcast along the rows of a rank ≥ 3 output) → gemm with bias b. */
const fuseRowBias: PairRule<GemmLayer, PointwiseLayer> = {
  name: 'gemm(x) + b[n] → gemm with bias',
  producer: ['gemm'],
  consumer: ['pointwise'],
  match: (p, c, net) => !p.residual && p.act.kind === 'none' && sameShape(shapeOf(net, c.output), shapeOf(net, p.output)) && rowBiasOf(c, p.output, p.n) !== undefined,
  rewrite(p, c) {
    const b = rowBiasOf(c, p.output, p.n)!;
    return { layer: merged(p, c, { bias: b.map((v, o) => v + (p.bias?.[o] ?? 0)) }) };
  },
};

/** The other operand of a two-tensor Add that reads `t`, when it has t's shape. */
export function residualOf(c: PointwiseLayer, t: string, net: Network): string | undefined {
  const e = c.expr;
  if (e.op !== 'binary' || e.fn !== 'add' || e.a.op !== 'input' || e.b.op !== 'input') return undefined;
  const [a, b] = [c.inputs[e.a.index]!, c.inputs[e.b.index]!];
  const other = a === t ? b : b === t ? a : undefined;
  if (!other || other === t || isConstOperand(other)) return undefined;
  return sameShape(shapeOf(net, other), shapeOf(net, t)) && sameShape(shapeOf(net, c.output), shapeOf(net, t)) ? other : undefined;
}

/** conv(x) + r → conv with residual r (r a tensor of the output's shape). */
const fuseResidual: PairRule<Matrix, PointwiseLayer> = {
  name: 'conv(x) + r → conv with residual r',
  producer: ['conv', 'gemm'],
  consumer: ['pointwise'],
  // r must not be the conv's own input: one dispatch cannot bind a tensor twice (both bindings are
  // writable storage in the shared arena, and WebGPU forbids aliasing writable bindings)
  match: (p, c, net) => {
    if (p.residual || p.act.kind !== 'none') return false;
    const r = residualOf(c, p.output, net);
    return r !== undefined && r !== p.input;
  },
  rewrite: (p, c, net) => ({ layer: merged(p, c, { residual: residualOf(c, p.output, net)! }) }),
};

/**
 * conv(x)·s or gemm(x)·s (s one finite constant, the bias already in) → weights and bias scaled by
 * s. Whisper's and BART's attention scale their Q projection this way; without the rule the scale
 * was a pass over Q of its own.
 */
const fuseScale: PairRule<Matrix, PointwiseLayer> = {
  name: 'conv(x) · s → conv with weights and bias scaled by s',
  producer: ['conv', 'gemm'],
  consumer: ['pointwise'],
  match(p, c, net) {
    const s = scalarFactorOf(c, p.output);
    return !p.residual && p.act.kind === 'none' && s !== undefined && Number.isFinite(s) && sameShape(shapeOf(net, c.output), shapeOf(net, p.output));
  },
  rewrite(p, c) {
    const s = scalarFactorOf(c, p.output)!;
    return { layer: merged(p, c, { weights: p.weights.map((w) => w * s), ...(p.bias ? { bias: p.bias.map((b) => b * s) } : {}) }) };
  },
};

/** The activation a consumer applies to exactly the producer's output. */
function activationAfter(c: PointwiseLayer, t: string): Activation | undefined {
  const index = c.inputs.indexOf(t);
  return c.inputs.length === 1 && index === 0 ? activationOf(c.expr, 0) : undefined;
}

/** act(conv(x)) → conv with activation act. */
const fuseActivation: PairRule<Matrix, PointwiseLayer> = {
  name: 'act(conv(x)) → conv with activation',
  producer: ['conv', 'gemm'],
  consumer: ['pointwise'],
  match: (p, c) => p.act.kind === 'none' && activationAfter(c, p.output) !== undefined,
  rewrite: (p, c) => ({ layer: merged(p, c, { act: activationAfter(c, p.output)! }) }),
};

/**
 * int8(x) + r → int8 layer with residual r: an int8 layer writing float (nothing fused after its
 * sums yet) adds the shortcut in its epilogue; the ReLU after it then folds in too (fuse-int8-epilogue).
 */
const fuseInt8Residual: PairRule<QLinearLayer, PointwiseLayer> = {
  name: 'int8(x) + r → int8 layer with residual r',
  producer: ['qlinear'],
  consumer: ['pointwise'],
  match: (p, c, net) => {
    if (p.residual || p.relu || p.act || p.y || net.tensors.get(p.output)!.dtype === 'int32') return false;
    const r = residualOf(c, p.output, net);
    return r !== undefined && r !== p.input && r !== p.xZeroPoint;
  },
  rewrite: (p, c, net) => ({ layer: { ...p, residual: residualOf(c, p.output, net)!, output: c.output, from: [...p.from, ...c.from] } }),
};

export const EPILOGUE_RULES = [fuseBias, fuseRowBias, fuseScale, fuseResidual, fuseActivation, fuseInt8Residual] as PairRule[];
/** The bias adds alone: implicit int8 takes them into its layers' int32 bias before quantizing. */
export const BIAS_RULES = [fuseBias, fuseRowBias] as PairRule[];

/**
 * x · sigmoid(x), written as a Sigmoid layer and a Mul layer, becomes one pointwise silu(x) layer
 * (then an activation the epilogue can take).
 */
export function recogniseSilu(net: Network, ctx: PassContext): void {
  for (;;) {
    const users = consumers(net);
    const found = net.layers.find((s): s is PointwiseLayer => {
      if (s.kind !== 'pointwise' || s.inputs.length !== 1 || activationOf(s.expr, 0)?.kind !== 'sigmoid') return false;
      const x = s.inputs[0]!;
      const m = users.get(s.output);
      if (!m || m.length !== 1 || isBoundary(net, s.output) || !isSiluMul(m[0]!, x, s.output)) return false;
      return sameShape(shapeOf(net, x), shapeOf(net, m[0]!.output));
    });
    if (!found) return;
    const mul = users.get(found.output)![0]! as PointwiseLayer;
    const silu: PointwiseLayer = {
      kind: 'pointwise', name: found.name, from: [...found.from, ...mul.from], inputs: [found.inputs[0]!],
      output: mul.output, expr: act({ kind: 'silu' }, input(0)),
      ...(found.precision ? { precision: found.precision } : {}),
    };
    net.layers.splice(net.layers.indexOf(found), 1);
    net.layers[net.layers.indexOf(mul)] = silu;
    net.tensors.delete(found.output);
    ctx.change(`recognised ${silu.from.join(' + ')} as silu`);
  }
}

function isSiluMul(l: Layer, x: string, sig: string): boolean {
  if (l.kind !== 'pointwise' || l.inputs.length !== 2) return false;
  const e = l.expr;
  if (e.op !== 'binary' || e.fn !== 'mul' || e.a.op !== 'input' || e.b.op !== 'input') return false;
  const pair = [l.inputs[e.a.index], l.inputs[e.b.index]];
  return (pair[0] === x && pair[1] === sig) || (pair[0] === sig && pair[1] === x);
}

export const fuseEpiloguePass: EnginePass = {
  name: 'fuse-epilogue',
  description: 'fuse bias, residual Add and activation into conv/gemm epilogues',
  run(net, ctx) {
    recogniseSilu(net, ctx);
    const before = new Map(net.layers.map((l) => [l.name, l.from.length]));
    applyPairRules(net, EPILOGUE_RULES, ctx);
    for (const l of net.layers) {
      if ((l.kind === 'conv' || l.kind === 'gemm') && l.from.length !== before.get(l.name)) {
        ctx.change(`fused ${l.from.join(' + ')} → ${l.kind} ${l.name}`);
      }
    }
  },
};
