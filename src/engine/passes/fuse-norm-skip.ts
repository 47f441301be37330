// Folds a residual Add into the normalization that reads it: norm(a + b) → norm with input a and
// skip b (onnxruntime's SkipLayerNormalization), when the sum of two tensors of the output's
// shape is read only by the norm. Runs after fuse-epilogue, so a sum a gemm's epilogue already
// took stays there.
import type { Network, NormLayer, PointwiseLayer } from '../network.js';
import type { EnginePass, PairRule } from './pass.js';
import { applyPairRules } from './pass.js';
import { isConstOperand } from './pw-expr.js';

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The two tensors a pointwise layer adds, when it is exactly a + b of same-shape tensors. */
export function residualSum(p: PointwiseLayer, net: Network): [string, string] | undefined {
  const e = p.expr;
  if (e.op !== 'binary' || e.fn !== 'add' || e.a.op !== 'input' || e.b.op !== 'input') return undefined;
  const a = p.inputs[e.a.index]!;
  const b = p.inputs[e.b.index]!;
  if (a === b || isConstOperand(a) || isConstOperand(b)) return undefined;
  const out = net.tensors.get(p.output)!.shape;
  return sameShape(net.tensors.get(a)!.shape, out) && sameShape(net.tensors.get(b)!.shape, out) ? [a, b] : undefined;
}

const foldSkip: PairRule<PointwiseLayer, NormLayer> = {
  name: 'norm(a + b) → norm(a, skip b)',
  producer: ['pointwise'],
  consumer: ['norm'],
  match: (p, c, net) => !c.skip && c.input === p.output && residualSum(p, net) !== undefined,
  rewrite(p, c, net) {
    const [a, b] = residualSum(p, net)!;
    const layer: NormLayer = { ...c, input: a, skip: b, from: [...p.from, ...c.from] };
    return { layer, log: `fused ${layer.from.join(' + ')} → norm ${c.name} with skip ${b}` };
  },
};

export const fuseNormSkipPass: EnginePass = {
  name: 'fuse-norm-skip',
  description: 'fold a residual Add into the normalization that reads it (skip input)',
  run(net, ctx) {
    applyPairRules(net, [foldSkip as PairRule], ctx);
  },
};
