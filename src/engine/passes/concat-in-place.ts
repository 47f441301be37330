// Marks channel Concats whose inputs can be written straight into the output (SqueezeNet's fire
// modules, DenseNet's blocks): each input is written by a conv, gemm or pointwise layer (which can
// store at a channel offset of another tensor), is read by nothing else, appears once, and is not a
// network input or output. The concat then runs nothing and its inputs need no memory of their own.
import type { ConcatLayer, Layer } from '../network.js';
import type { EnginePass } from './pass.js';
import { consumers, isBoundary, producers } from './net-utils.js';

const WRITERS: ReadonlySet<Layer['kind']> = new Set(['conv', 'gemm', 'pointwise']);

export const concatInPlacePass: EnginePass = {
  name: 'concat-in-place',
  description: 'let producers write channel-Concat inputs directly into the output',
  run(net, ctx) {
    const writers = producers(net);
    const readers = consumers(net);
    for (const l of net.layers) {
      if (l.kind !== 'concat' || l.inPlace) continue;
      const reason = declineReason(l, net.tensors.get(l.output)!.shape.length);
      const bad = reason ?? l.inputs.map((t): string | undefined => {
        const p = writers.get(t);
        if (!p || !WRITERS.has(p.kind)) return `${t} is not written by a conv, gemm or pointwise layer`;
        if (isBoundary(net, t)) return `${t} is a network input or output`;
        if ((readers.get(t)?.length ?? 0) !== 1) return `${t} has other readers`;
        return undefined;
      }).find((r) => r !== undefined);
      if (bad) continue;
      l.inPlace = true;
      ctx.change(`concat ${l.name} in place: ${l.inputs.map((t) => writers.get(t)!.name).join(', ')} write into ${l.output}`);
    }
  },
};

function declineReason(l: ConcatLayer, rank: number): string | undefined {
  if (l.axis !== 1 || rank !== 4) return 'not the channel axis of a rank-4 tensor';
  if (new Set(l.inputs).size !== l.inputs.length) return 'an input appears twice';
  return undefined;
}
