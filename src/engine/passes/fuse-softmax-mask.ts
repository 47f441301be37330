// Folds the scale and additive mask of attention logits into the softmax that reads them:
// softmax(x·s + m), softmax(x/s + m), softmax(x·s), softmax(x + m) → one softmax layer with
// `scale` and `mask`, when the pointwise result is read only by the softmax. x must have the
// softmax's shape (it becomes the softmax input); m is a tensor broadcast to it; s a literal.
import type { Network, PointwiseLayer, PwExpr, SoftmaxLayer } from '../network.js';
import type { EnginePass, PairRule } from './pass.js';
import { applyPairRules } from './pass.js';
import { isConstOperand } from './pw-expr.js';

interface Logits {
  x: string;
  scale?: number;
  mask?: string;
}

/** x·s, s·x, x/s or x, for a tensor operand x and a literal s. */
function scaled(p: PointwiseLayer, e: PwExpr): Logits | undefined {
  const tensor = (leaf: PwExpr) => (leaf.op === 'input' && !isConstOperand(p.inputs[leaf.index]!) ? p.inputs[leaf.index]! : undefined);
  const x = tensor(e);
  if (x) return { x };
  if (e.op !== 'binary') return undefined;
  if (e.fn === 'mul' && e.b.op === 'const' && tensor(e.a)) return { x: tensor(e.a)!, scale: e.b.value };
  if (e.fn === 'mul' && e.a.op === 'const' && tensor(e.b)) return { x: tensor(e.b)!, scale: e.a.value };
  if (e.fn === 'div' && e.b.op === 'const' && tensor(e.a) && e.b.value !== 0) return { x: tensor(e.a)!, scale: 1 / e.b.value };
  return undefined;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** The logits form of a pointwise layer feeding softmax `c`, or undefined. */
export function logitsOf(p: PointwiseLayer, c: SoftmaxLayer, net: Network): Logits | undefined {
  const e = p.expr;
  let found: Logits | undefined = scaled(p, e);
  if (!found && e.op === 'binary' && e.fn === 'add') {
    for (const [s, m] of [[e.a, e.b], [e.b, e.a]] as const) {
      const l = scaled(p, s);
      if (l && m.op === 'input' && !isConstOperand(p.inputs[m.index]!)) { found = { ...l, mask: p.inputs[m.index]! }; break; }
    }
  }
  if (!found || (found.scale === undefined && found.mask === undefined)) return undefined;
  const shape = net.tensors.get(c.input)!.shape;
  if (!sameShape(net.tensors.get(found.x)!.shape, shape) || found.x === found.mask) return undefined;
  return found;
}

const foldLogits: PairRule<PointwiseLayer, SoftmaxLayer> = {
  name: 'softmax(x·s + m) → softmax(x; scale s, mask m)',
  producer: ['pointwise'],
  consumer: ['softmax'],
  match: (p, c, net) => c.scale === undefined && c.mask === undefined && c.input === p.output && logitsOf(p, c, net) !== undefined,
  rewrite(p, c, net) {
    const { x, scale, mask } = logitsOf(p, c, net)!;
    const layer: SoftmaxLayer = { ...c, input: x, from: [...p.from, ...c.from], ...(scale !== undefined ? { scale } : {}), ...(mask !== undefined ? { mask } : {}) };
    return { layer, log: `fused ${layer.from.join(' + ')} → softmax ${c.name}${scale !== undefined ? ` scale ${scale}` : ''}${mask ? ` mask ${mask}` : ''}` };
  },
};

export const fuseSoftmaxMaskPass: EnginePass = {
  name: 'fuse-softmax-mask',
  description: 'fold a scale and additive mask of the logits into the softmax',
  run(net, ctx) {
    applyPairRules(net, [foldLogits as PairRule], ctx);
  },
};
