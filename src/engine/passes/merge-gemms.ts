// Merges the products of one input by several constant weight matrices (attention's Q, K and V
// projections; a gated MLP's gate and up projections) into one GEMM whose columns are split over
// the original outputs (GemmLayer.parts): one dispatch instead of several, and one product wide
// enough to fill a large GPU where each alone has few rows (a batch-1 transformer's 128–200
// tokens). The outputs keep their names, formats and readers; only the writer changes.
import type { GemmLayer, Layer, Network } from '../network.js';
import type { EnginePass, PassContext } from './pass.js';
import { consumers } from './net-utils.js';

/** Whether `l` can be merged: a plain GEMM whose even-width output no concat takes in place. */
function mergeable(l: Layer, readers: Map<string, Layer[]>, ctx: PassContext): l is GemmLayer {
  if (l.kind !== 'gemm' || l.residual || l.parts || l.n % 2 !== 0) return false;
  if ([l.name, ...l.from].some((n) => n in ctx.layerPrecision)) return false;
  return !(readers.get(l.output) ?? []).some((r) => r.kind === 'concat');
}

/** Siblings merge when they read the same input the same way: same K, rank, activation, precision. */
function key(l: GemmLayer, net: Network): string {
  return JSON.stringify([l.input, l.k, net.tensors.get(l.output)!.shape.length, l.act, l.precision ?? '']);
}

/** W = [W0 | W1 | ...] row by row; bias the same (zeros where a sibling has none). */
function merged(group: GemmLayer[]): GemmLayer {
  const first = group[0]!;
  const k = first.k;
  const n = group.reduce((s, l) => s + l.n, 0);
  const weights = new Float32Array(k * n);
  let col = 0;
  for (const l of group) {
    for (let i = 0; i < k; i++) weights.set(l.weights.subarray(i * l.n, (i + 1) * l.n), i * n + col);
    col += l.n;
  }
  const bias = group.some((l) => l.bias) ? new Float32Array(n) : undefined;
  if (bias) {
    col = 0;
    for (const l of group) {
      if (l.bias) bias.set(l.bias, col);
      col += l.n;
    }
  }
  return {
    kind: 'gemm', name: first.name, from: group.flatMap((l) => l.from), ...(first.precision ? { precision: first.precision } : {}),
    input: first.input, output: first.output, weights, k, n, ...(bias ? { bias } : {}), act: { ...first.act },
    parts: group.map((l) => ({ output: l.output, n: l.n })),
  };
}

export const mergeGemmsPass: EnginePass = {
  name: 'merge-gemms',
  description: 'merge products of one input by several weight matrices into one GEMM with split outputs',
  run(net, ctx) {
    const readers = consumers(net);
    const groups = new Map<string, GemmLayer[]>();
    for (const l of net.layers) {
      if (!mergeable(l, readers, ctx)) continue;
      const k = key(l, net);
      const g = groups.get(k);
      if (g) g.push(l);
      else groups.set(k, [l]);
    }
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const layer = merged(group);
      // at the first sibling's place: every sibling reads only the shared input, written before it
      net.layers.splice(net.layers.indexOf(group[0]!), 1, layer);
      for (const l of group.slice(1)) net.layers.splice(net.layers.indexOf(l), 1);
      ctx.change(`merged ${group.map((l) => l.name).join(' + ')} → gemm ${layer.name} (N ${group.map((l) => l.n).join(' + ')})`);
    }
  },
};
