// Merges the products of one input by several constant weight matrices (attention's Q, K and V
// projections; a gated MLP's gate and up projections) into one GEMM whose columns are split over
// the original outputs (GemmLayer.parts): one dispatch instead of several, and one product wide
// enough to fill a large GPU where each alone has few rows (a batch-1 transformer's 128–200
// tokens). The outputs keep their names, formats and readers; only the writer changes. int8
// layers of one quantized input that write float (an int8 build's Q, K, V) merge the same way.
import type { GemmLayer, Layer, Network, QLinearLayer } from '../network.js';
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

/** An int8 product that can merge: gemm, float out, nothing fused after its sums but its bias. */
function mergeableInt8(l: Layer, readers: Map<string, Layer[]>, ctx: PassContext, net: Network): l is QLinearLayer {
  if (l.kind !== 'qlinear' || l.op !== 'gemm' || l.y || l.relu || l.act || l.residual || l.parts || l.xZeroPoint) return false;
  // MatMulInteger's int32 sums are not float outputs
  if (net.tensors.get(l.output)!.dtype === 'int32') return false;
  if ([l.name, ...l.from].some((n) => n in ctx.layerPrecision)) return false;
  return !(readers.get(l.output) ?? []).some((r) => r.kind === 'concat');
}

/** int8 siblings merge when they read the same integers the same way. */
const keyInt8 = (l: QLinearLayer, net: Network): string => JSON.stringify(['int8', l.input, l.x, l.weightShape[0], net.tensors.get(l.output)!.shape.length]);

/** int8 weights [K, N0 | N1 | ...] row by row, per-column scales, int32 bias (zeros where a sibling has none). */
function mergedInt8(group: QLinearLayer[]): QLinearLayer {
  const first = group[0]!;
  const k = first.weightShape[0]!;
  const ns = group.map((l) => l.weightShape[1]!);
  const n = ns.reduce((a, b) => a + b, 0);
  const weights = new Int8Array(k * n);
  const weightScales = new Float32Array(n);
  const bias = group.some((l) => l.bias) ? new Int32Array(n) : undefined;
  let col = 0;
  group.forEach((l, g) => {
    const w = ns[g]!;
    for (let i = 0; i < k; i++) weights.set(l.weights.subarray(i * w, (i + 1) * w), i * n + col);
    for (let c = 0; c < w; c++) weightScales[col + c] = l.weightScales.length === 1 ? l.weightScales[0]! : l.weightScales[c]!;
    if (bias && l.bias) bias.set(l.bias, col);
    col += w;
  });
  return {
    ...first, from: group.flatMap((l) => l.from), x: { ...first.x }, weights, weightShape: [k, n], weightScales,
    ...(bias ? { bias } : {}), parts: group.map((l, g) => ({ output: l.output, n: ns[g]! })),
  };
}

export const mergeGemmsPass: EnginePass = {
  name: 'merge-gemms',
  description: 'merge products of one input by several weight matrices into one GEMM with split outputs',
  run(net, ctx) {
    const readers = consumers(net);
    const groups = new Map<string, (GemmLayer | QLinearLayer)[]>();
    for (const l of net.layers) {
      const k = mergeable(l, readers, ctx) ? key(l, net) : mergeableInt8(l, readers, ctx, net) ? keyInt8(l, net) : undefined;
      if (k === undefined) continue;
      const g = groups.get(k);
      if (g) g.push(l as GemmLayer | QLinearLayer);
      else groups.set(k, [l as GemmLayer | QLinearLayer]);
    }
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const layer = group[0]!.kind === 'qlinear' ? mergedInt8(group as QLinearLayer[]) : merged(group as GemmLayer[]);
      // at the first sibling's place: every sibling reads only the shared input, written before it
      net.layers.splice(net.layers.indexOf(group[0]!), 1, layer);
      for (const l of group.slice(1)) net.layers.splice(net.layers.indexOf(l), 1);
      ctx.change(`merged ${group.map((l) => l.name).join(' + ')} → ${layer.kind === 'qlinear' ? 'int8 gemm' : 'gemm'} ${layer.name} (N ${group.map((l) => (l.kind === 'qlinear' ? l.weightShape[1] : l.n)).join(' + ')})`);
    }
  },
};
