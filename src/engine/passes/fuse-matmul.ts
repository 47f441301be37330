// Fuses what follows a matmul (two computed operands) into its epilogue:
// y = act(alpha · A·B + residual). Attention's 1/√d scale (a Mul or Div by one constant) becomes
// alpha, an Add of a same-shape tensor the residual, then one activation. (The layer's bias is
// for constant rows; pointwise layers broadcast constants per channel, not along the last axis.)
import type { Activation, Layer, MatmulLayer, Network, PointwiseLayer } from '../network.js';
import type { EnginePass, PairRule } from './pass.js';
import { applyPairRules } from './pass.js';
import { residualOf } from './fuse-epilogue.js';
import { activationOf, scalarFactorOf } from './pw-expr.js';

const shapeOf = (net: Network, t: string) => net.tensors.get(t)!.shape;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const merged = (p: MatmulLayer, c: Layer, extra: Partial<MatmulLayer>): MatmulLayer =>
  ({ ...p, ...extra, output: c.output, from: [...p.from, ...c.from] });

const fuseScale: PairRule<MatmulLayer, PointwiseLayer> = {
  name: 'matmul(a, b) · s → matmul with alpha s',
  producer: ['matmul'],
  consumer: ['pointwise'],
  match(p, c, net) {
    const fresh = !p.bias && !p.residual && p.act.kind === 'none';
    const s = scalarFactorOf(c, p.output);
    return fresh && s !== undefined && Number.isFinite(s) && sameShape(shapeOf(net, c.output), shapeOf(net, p.output));
  },
  rewrite: (p, c) => ({ layer: merged(p, c, { alpha: p.alpha * scalarFactorOf(c, p.output)! }) }),
};

const fuseResidual: PairRule<MatmulLayer, PointwiseLayer> = {
  name: 'matmul(a, b) + r → matmul with residual r',
  producer: ['matmul'],
  consumer: ['pointwise'],
  match(p, c, net) {
    if (p.residual || p.act.kind !== 'none') return false;
    const r = residualOf(c, p.output, net);
    return r !== undefined && r !== p.a && r !== p.b;
  },
  rewrite: (p, c, net) => ({ layer: merged(p, c, { residual: residualOf(c, p.output, net)! }) }),
};

function activationAfter(c: PointwiseLayer, t: string): Activation | undefined {
  return c.inputs.length === 1 && c.inputs[0] === t ? activationOf(c.expr, 0) : undefined;
}

const fuseActivation: PairRule<MatmulLayer, PointwiseLayer> = {
  name: 'act(matmul(a, b)) → matmul with activation',
  producer: ['matmul'],
  consumer: ['pointwise'],
  match: (p, c) => p.act.kind === 'none' && activationAfter(c, p.output) !== undefined,
  rewrite: (p, c) => ({ layer: merged(p, c, { act: activationAfter(c, p.output)! }) }),
};

export const fuseMatmulPass: EnginePass = {
  name: 'fuse-matmul',
  description: 'fuse scale, bias, residual Add and activation into matmul epilogues',
  run(net, ctx) {
    const n = applyPairRules(net, [fuseScale, fuseResidual, fuseActivation] as PairRule[], ctx);
    if (n) ctx.change(`${n} pointwise layers fused into matmul epilogues`);
  },
};
