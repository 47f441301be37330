// Reshape (Flatten, Squeeze, Unsqueeze...): the same elements under another logical shape. When
// input and output store their elements in the same physical order and storage (plain/nchw ↔
// plain, NHWC with H·W = 1 or C = 1 ↔ plain) it is a view: no program, the builder aliases the
// memory. Otherwise a copy: each output element finds its row-major (logical) position, and from
// it the input element.
import type { NetTensor, ReshapeLayer } from '../network.js';
import { KernelReason, elementProgram, outputSink, pairsContiguous, remapIndex, sameOrder, layoutStrides, tacticsOrReason, tensorOf, type ElementSource } from './convert.js';
import type { LayerCompiler } from './tactic.js';
import { elementCount, stridesOf } from '../../tensor/shape.js';

/** True when the tensor's memory holds its elements in logical row-major order. */
const rowMajor = (t: NetTensor) => sameOrder(t.shape, layoutStrides(t), stridesOf(t.shape));

export const compileReshape: LayerCompiler<ReshapeLayer> = (layer, ctx) =>
  tacticsOrReason(() => {
    const input = tensorOf(ctx, layer.input, layer.name);
    const out = tensorOf(ctx, layer.output, layer.name);
    if (elementCount(input.shape) !== elementCount(out.shape)) {
      throw new KernelReason(`reshape ${layer.name}: [${input.shape.join(', ')}] and [${out.shape.join(', ')}] hold different element counts`);
    }
    const view = rowMajor(input) && rowMajor(out) && input.format.storage === out.format.storage && !ctx.placement.has(out.name);
    if (view) return [{ name: 'view', programs: [], constants: [], scratch: [] }];
    const sink = outputSink(ctx, out);
    const outStrides = layoutStrides(out);
    const inLogical = stridesOf(input.shape);
    const inStrides = layoutStrides(input);
    // output physical index → logical (row-major) index → input physical index
    const logical = (q: string) => remapIndex(q, out.shape, outStrides, stridesOf(out.shape));
    const src: ElementSource = {
      binding: { tensor: input.name },
      storage: input.format.storage,
      index: (q) => remapIndex(logical(q), input.shape, inLogical, inStrides),
      pairing: rowMajor(out) && pairsContiguous(input.shape, inLogical, inStrides, 0, input.format.storage === 'f16x2') ? 'pair' : 'two',
    };
    const program = elementProgram({ sink, sources: [src], compute: (v) => ({ lines: [], result: v[0]! }), pairsPerInvocation: 1, workgroup: 256, caps: ctx.caps });
    return [{ name: 'copy', programs: [program], constants: [], scratch: [] }];
  });
