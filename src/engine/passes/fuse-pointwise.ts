// Fuses chains of pointwise layers into one: when a pointwise layer's output is read only by
// another pointwise layer (and is not a network output), the reader's expression takes the
// writer's expression in place of that operand — g(f(x), y) is computed in one kernel.
import type { Network, PointwiseLayer } from '../network.js';
import type { EnginePass, PairRule } from './pass.js';
import { applyPairRules } from './pass.js';
import { substituteOperand } from './pw-expr.js';

const shapeOf = (net: Network, t: string) => net.tensors.get(t)!.shape;

/** g(…, f(x…), …) → one layer computing g∘f. */
const fusePair: PairRule<PointwiseLayer, PointwiseLayer> = {
  name: 'g(f(x), y) → (g∘f)(x, y)',
  producer: ['pointwise'],
  consumer: ['pointwise'],
  // Only when f's output has g's output shape: f's operands then broadcast to g's output as they
  // did to f's (a per-channel f output read by a larger g would change what "same shape" means).
  match(p, c, net) {
    const a = shapeOf(net, p.output);
    const b = shapeOf(net, c.output);
    return a.length === b.length && a.every((d, i) => d === b[i]);
  },
  rewrite(p, c) {
    const { inputs, constants, expr } = substituteOperand(c, p.output, p);
    const layer: PointwiseLayer = {
      kind: 'pointwise', name: p.name, from: [...p.from, ...c.from], inputs, output: c.output, expr,
      ...(constants.length ? { constants } : {}),
      ...(p.precision ? { precision: p.precision } : {}),
    };
    return { layer };
  },
};

export const fusePointwisePass: EnginePass = {
  name: 'fuse-pointwise',
  description: 'fuse chains of pointwise layers into one pointwise layer',
  run(net, ctx) {
    const before = new Map(net.layers.map((l) => [l.name, l.from.length]));
    applyPairRules(net, [fusePair as PairRule], ctx);
    for (const l of net.layers) {
      if (l.kind === 'pointwise' && l.from.length !== before.get(l.name)) ctx.change(`fused ${l.from.join(' + ')} → pointwise ${l.name}`);
    }
  },
};
