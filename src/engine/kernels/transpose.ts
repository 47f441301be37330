// Transpose: output axis i is input axis perm[i]. Each output element reads the input through
// permuted physical strides, so any layout on either side works; when both sides already hold the
// elements in the same physical order (NHWC → [N,H,W,C] row-major, ConvNeXt's permute around its
// layer norm) it is a view: no program, the builder aliases the memory.
import type { NetTensor, TransposeLayer } from '../network.js';
import { KernelReason, elementProgram, elementTactics, layoutStrides, mappedSource, outputSink, sameOrder, tacticsOrReason, tensorOf } from './convert.js';
import type { LayerCompiler } from './tactic.js';

/** Physical stride in `x` of each output axis of the transpose. */
export const permutedStrides = (x: NetTensor, perm: readonly number[]): number[] => perm.map((p) => layoutStrides(x)[p]!);

export const compileTranspose: LayerCompiler<TransposeLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const x = tensorOf(ctx, layer.input, layer.name);
    const y = tensorOf(ctx, layer.output, layer.name);
    const perm = layer.perm;
    if (perm.length !== x.shape.length || perm.some((p, i) => y.shape[i] !== x.shape[p])) {
      throw new KernelReason(`transpose ${layer.name}: [${x.shape}] permuted by [${perm}] is not [${y.shape}]`);
    }
    const from = permutedStrides(x, perm);
    const view = sameOrder(y.shape, layoutStrides(y), from) && x.format.storage === y.format.storage && !ctx.placement.has(y.name);
    if (view) return [{ name: 'view', programs: [], constants: [], scratch: [] }];
    return elementTactics('transpose', (per, wg) => {
      const sink = outputSink(ctx, y);
      const src = mappedSource({ tensor: x.name }, x.format.storage, y.shape, layoutStrides(y), from);
      return { programs: [elementProgram({ sink, sources: [src], compute: (v) => ({ lines: [], result: v[0]! }), pairsPerInvocation: per, workgroup: wg, caps: ctx.caps })], constants: [], scratch: [] };
    });
  });
