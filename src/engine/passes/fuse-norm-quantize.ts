// Folds a QuantizeLinear into the normalization before it: a LayerNorm / RMSNorm whose output is
// read only by a quantize writes the quantized integers itself (as bytes where int8-storage
// allows). In a transformer every LayerNorm output feeds int8 products; in a calibrated build the
// next block's shortcut reads that quantized copy too (int8-residual), so the float output and the
// quantize pass over it both go. Runs after int8-residual and before int8-quantize-on-load (a norm
// writing bytes beats a float the products quantize again in each column tile).
import { matchQuantize } from '../layers/quantize.js';
import type { Network, NormLayer, PointwiseLayer } from '../network.js';
import type { EnginePass, PairRule } from './pass.js';
import { applyPairRules } from './pass.js';
import { tensorInputs } from './net-utils.js';

/** No layer between the norm and the quantize reads the norm's sum output (the fused norm runs later). */
function sumStillInOrder(net: Network, p: NormLayer, c: PointwiseLayer): boolean {
  if (!p.sum) return true;
  const [from, to] = [net.layers.indexOf(p), net.layers.indexOf(c)];
  return !net.layers.slice(from + 1, to).some((l) => tensorInputs(l).includes(p.sum!));
}

const foldQuantize: PairRule<NormLayer, PointwiseLayer> = {
  name: 'quantize(norm(x)) → norm(x) writing integers',
  producer: ['norm'],
  consumer: ['pointwise'],
  match: (p, c, net) => !p.quantize && c.inputs[0] === p.output && matchQuantize(c) !== undefined && sumStillInOrder(net, p, c),
  rewrite(p, c) {
    const q = matchQuantize(c)!;
    const layer: NormLayer = { ...p, output: c.output, quantize: { ...q }, from: [...p.from, ...c.from] };
    return { layer, log: `${p.name}: writes ${c.output} quantized (${q.signed ? 'int8' : 'uint8'}, scale ${q.scale}), ${c.name} folded in` };
  },
};

export const fuseNormQuantizePass: EnginePass = {
  name: 'fuse-norm-quantize',
  description: 'a normalization whose output only a quantize reads writes the quantized integers itself',
  run(net, ctx) {
    applyPairRules(net, [foldQuantize as PairRule], ctx);
  },
};
