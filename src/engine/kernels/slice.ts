// Slice-like copies: each output element reads one input element at
// base + Σ coord_k · stride_k, with strides taken from the input's physical layout (so any layout
// works): Slice, Split parts, Expand (stride 0 on broadcast axes) and Gather at constant indices
// that step evenly.
import type { SliceLayer } from '../network.js';
import { KernelReason, elementProgram, elementTactics, layoutStrides, mappedSource, outputSink, tacticsOrReason, tensorOf } from './convert.js';
import type { LayerCompiler } from './tactic.js';

export const compileSlice: LayerCompiler<SliceLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const x = tensorOf(ctx, layer.input, layer.name);
    const y = tensorOf(ctx, layer.output, layer.name);
    const phys = layoutStrides(x);
    if (layer.start.length !== x.shape.length || layer.axes.length !== y.shape.length) {
      throw new KernelReason(`slice ${layer.name}: map of rank ${layer.start.length} → ${layer.axes.length} does not fit [${x.shape}] → [${y.shape}]`);
    }
    // every read stays inside the input
    layer.axes.forEach((a, k) => {
      if (a < 0) return;
      const last = layer.start[a]! + (y.shape[k]! - 1) * layer.steps[k]!;
      if (layer.steps[k]! < 0 || last >= x.shape[a]!) throw new KernelReason(`slice ${layer.name}: output axis ${k} reads past input axis ${a}`);
    });
    const base = layer.start.reduce((s, v, a) => s + v * phys[a]!, 0);
    const to = layer.axes.map((a, k) => (a < 0 ? 0 : phys[a]! * layer.steps[k]!));
    return elementTactics('slice', (per, wg) => {
      const sink = outputSink(ctx, y);
      const src = mappedSource({ tensor: x.name }, x.format.storage, y.shape, layoutStrides(y), to, base);
      return { programs: [elementProgram({ sink, sources: [src], compute: (v) => ({ lines: [], result: v[0]! }), pairsPerInvocation: per, workgroup: wg, caps: ctx.caps })], constants: [], scratch: [] };
    });
  });
