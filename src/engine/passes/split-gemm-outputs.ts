// A GEMM whose output is only cut into column ranges (an ONNX Split or Slices of the last axis,
// through at most one reshape that keeps the last axis: GPT-2's fused Q/K/V projection, c_attn,
// is addmm → view → split) writes the ranges itself (GemmLayer.parts): the slice copies and the
// intermediate tensor disappear. The slices' outputs keep their names, shapes and readers.
import type { GemmLayer, Layer, Network, SliceLayer } from '../network.js';
import type { EnginePass } from './pass.js';
import { consumers, isBoundary } from './net-utils.js';

const shapeOf = (net: Network, t: string) => net.tensors.get(t)!.shape;
const last = (s: readonly number[]) => s[s.length - 1]!;

/** A copy of columns [start, start + width) of the last axis of `source`, every other axis whole. */
function columnRange(net: Network, l: Layer, source: string): { slice: SliceLayer; start: number; width: number } | undefined {
  if (l.kind !== 'slice' || l.input !== source) return undefined;
  const inShape = shapeOf(net, source);
  const outShape = shapeOf(net, l.output);
  const r = inShape.length;
  if (outShape.length !== r || l.axes.some((a, i) => a !== i) || l.steps.some((s) => s !== 1)) return undefined;
  if (l.start.some((s, i) => i < r - 1 && s !== 0) || outShape.some((d, i) => i < r - 1 && d !== inShape[i])) return undefined;
  return { slice: l, start: l.start[r - 1]!, width: last(outShape) };
}

export const splitGemmOutputsPass: EnginePass = {
  name: 'split-gemm-outputs',
  description: 'a GEMM whose output only column slices read (a Split of the last axis, through at most one reshape keeping it) writes the slices itself',
  run(net, ctx) {
    for (const g of net.layers.filter((l): l is GemmLayer => l.kind === 'gemm')) {
      if (g.parts || g.residual || isBoundary(net, g.output)) continue;
      const readers = consumers(net);
      let source = g.output;
      let between: Layer | undefined;
      const direct = readers.get(source) ?? [];
      // one reshape that only regroups the leading axes (the columns stay the last axis)
      if (direct.length === 1 && direct[0]!.kind === 'reshape' && !isBoundary(net, direct[0]!.output) && last(shapeOf(net, direct[0]!.output)) === g.n) {
        between = direct[0]!;
        source = between.output;
      }
      const cuts = (readers.get(source) ?? []).map((l) => columnRange(net, l, source));
      if (!cuts.length || cuts.some((c) => c === undefined)) continue;
      const ranges = (cuts as NonNullable<(typeof cuts)[number]>[]).sort((a, b) => a.start - b.start);
      // the ranges must tile [0, N) exactly, each of an even width (no stored pair straddles two)
      let end = 0;
      const tiles = ranges.every((c) => {
        const ok = c.start === end && c.width > 0 && c.width % 2 === 0;
        end += c.width;
        return ok;
      }) && end === g.n;
      if (!tiles) continue;
      const old = g.output;
      g.parts = ranges.map((c) => ({ output: c.slice.output, n: c.width }));
      g.output = g.parts[0]!.output;
      g.from = [...g.from, ...(between ? between.from : []), ...ranges.flatMap((c) => c.slice.from)];
      net.layers = net.layers.filter((l) => l !== between && !ranges.some((c) => c.slice === l));
      net.tensors.delete(old);
      if (between) net.tensors.delete(between.output);
      ctx.change(`gemm ${g.name} writes ${ranges.map((c) => c.slice.output).join(', ')} itself (N ${ranges.map((c) => c.width).join(' + ')}; ${ranges.length} slice copies${between ? ' and a reshape' : ''} removed)`);
    }
  },
};
