// Transposes cost a full copy unless something else can take them: consecutive transposes merge
// into one (inverse pairs, like ConvNeXt's NCHW → NHWC → NCHW around its layer norm, cancel), and
// a transpose feeding a matmul becomes the operand's axis permutation (read through strides:
// attention's Kᵀ and the head/sequence swaps). The NCHW ↔ NHWC case left over is a view when the
// layout pass has chosen matching layouts (kernels/transpose.ts).
import type { Layer, MatmulLayer, Network, TransposeLayer } from '../network.js';
import type { EnginePass, PassContext } from './pass.js';
import { consumers, isBoundary, producers, replaceAllUses } from './net-utils.js';

/** inner then outer: axis i of the result is axis inner[outer[i]] of inner's source. */
const compose = (inner: readonly number[], outer: readonly number[] | undefined): number[] =>
  (outer ?? inner.map((_, i) => i)).map((o) => inner[o]!);
const isIdentity = (p: readonly number[]) => p.every((a, i) => a === i);

/** Reads of `t` as an operand of matmul `l` become reads of `src` through `perm`. */
function absorbInto(l: MatmulLayer, t: string, src: string, perm: number[]): boolean {
  let done = false;
  const other = (side: 'a' | 'b') => (side === 'a' ? l.b : l.a);
  for (const side of ['a', 'b'] as const) {
    if (l[side] !== t) continue;
    // one dispatch cannot bind a tensor twice: keep x·xᵀ reading the copy
    if (other(side) === src || l.residual === src) continue;
    const key = side === 'a' ? 'aPerm' : 'bPerm';
    const p = compose(perm, l[key]);
    l[side] = src;
    if (isIdentity(p)) delete l[key];
    else l[key] = p;
    done = true;
  }
  return done;
}

function removeDead(net: Network, ctx: PassContext): void {
  for (let again = true; again;) {
    again = false;
    const readers = consumers(net);
    for (const l of [...net.layers]) {
      if (l.kind !== 'transpose' || readers.has(l.output) || isBoundary(net, l.output)) continue;
      net.layers.splice(net.layers.indexOf(l), 1);
      ctx.change(`removed ${l.name} (nothing reads it any more)`);
      again = true;
    }
  }
}

export const absorbTransposePass: EnginePass = {
  name: 'absorb-transpose',
  description: 'merge consecutive transposes, cancel inverse pairs, read transposed matmul operands through strides',
  run(net, ctx) {
    for (const t of net.layers.filter((l): l is TransposeLayer => l.kind === 'transpose')) {
      if (!net.layers.includes(t)) continue;
      const writer = producers(net).get(t.input);
      if (writer?.kind === 'transpose') {
        t.perm = compose(writer.perm, t.perm);
        t.input = writer.input;
        t.from = [...writer.from, ...t.from];
        ctx.change(`merged ${writer.name} into ${t.name} (perm [${t.perm}])`);
      }
      if (isIdentity(t.perm) && !isBoundary(net, t.output)) {
        replaceAllUses(net, t.output, t.input);
        net.layers.splice(net.layers.indexOf(t), 1);
        ctx.change(`removed ${t.name}: the transposes cancel`);
        continue;
      }
      for (const l of consumers(net).get(t.output) ?? ([] as Layer[])) {
        if (l.kind === 'matmul' && absorbInto(l, t.output, t.input, t.perm)) {
          l.from = [...t.from, ...l.from];
          ctx.change(`${l.name} reads ${t.input} through perm [${t.perm}] (${t.name} absorbed)`);
        }
      }
    }
    removeDead(net, ctx);
  },
};
