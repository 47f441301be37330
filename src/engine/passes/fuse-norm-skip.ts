// Folds a residual Add into the normalization that reads it: norm(a + b) → norm with input a and
// skip b (onnxruntime's SkipLayerNormalization), when the sum of two tensors of the output's
// shape is read only by the norm. When the sum is read again later (pre-norm transformers: the
// residual stream), the norm also writes it as its second output (`sum`) and the Add goes.
// Runs after fuse-epilogue, so a sum a gemm's epilogue already took stays there.
import type { Network, NormLayer, PointwiseLayer } from '../network.js';
import type { EnginePass, PairRule, PassContext } from './pass.js';
import { applyPairRules } from './pass.js';
import { isConstOperand } from './pw-expr.js';
import { consumers, producers } from './net-utils.js';

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

/**
 * norm(s = a + b) where s is also read after the norm: norm(a, skip b) writing s too. Every other
 * reader must run after the norm (it now writes s); a network output s is written the same way.
 */
function foldSharedSums(net: Network, ctx: PassContext): void {
  for (let changed = true; changed;) {
    changed = false;
    const writers = producers(net);
    const readers = consumers(net);
    for (const c of net.layers) {
      if (c.kind !== 'norm' || c.skip) continue;
      const p = writers.get(c.input);
      if (p?.kind !== 'pointwise' || p.output !== c.input) continue;
      const sum = residualSum(p, net);
      const at = net.layers.indexOf(c);
      if (!sum || (readers.get(p.output) ?? []).some((r) => r !== c && net.layers.indexOf(r) < at)) continue;
      const layer: NormLayer = { ...c, input: sum[0], skip: sum[1], sum: p.output, from: [...p.from, ...c.from] };
      net.layers[at] = layer;
      net.layers.splice(net.layers.indexOf(p), 1);
      ctx.change(`fused ${layer.from.join(' + ')} → norm ${c.name} with skip ${sum[1]}, also writing the sum ${p.output}`);
      changed = true;
      break;
    }
  }
}

export const fuseNormSkipPass: EnginePass = {
  name: 'fuse-norm-skip',
  description: 'fold a residual Add into the normalization that reads it (skip input; the sum as a second output when read again)',
  run(net, ctx) {
    applyPairRules(net, [foldSkip as PairRule], ctx);
    foldSharedSums(net, ctx);
  },
};
