// Import converters for the math family: unsigned types held widened, and BitCast's source type.
//
// nnrt holds uint16 in int32 and uint32 in int64 (see onnx/import/tensor.ts). Bitwise results are
// exact there except where bits above the type's width appear: BitwiseNot sets them all, a left
// shift moves bits past the width. Those nodes are followed by a mask of the type's width, written
// as ONNX ops, so the kernels need not know the declared type.
import type { Node } from '../../../ir/graph.js';
import { ELEMENT_TYPE } from '../../../tensor/element-type.js';
import { Tensor } from '../../../tensor/tensor.js';
import { registerImportConverter, type ConvertContext } from '../converter.js';

/** The all-ones mask of a declared unsigned type held in a wider dtype, or undefined. */
function widenedMask(ctx: ConvertContext, value: string, hint: string): string | undefined {
  switch (ctx.onnxType(value)) {
    case ELEMENT_TYPE.UINT16: return ctx.addConstant(`${hint}_mask`, Tensor.scalar('int32', 0xffff));
    case ELEMENT_TYPE.UINT32: return ctx.addConstant(`${hint}_mask`, Tensor.scalar('int64', 0xffffffff));
    default: return undefined;
  }
}

/** `node` writing to a fresh value, then BitwiseAnd with `mask` into the node's own output. */
function masked(node: Node, ctx: ConvertContext, mask: string): Node[] {
  const y = node.outputs[0]!;
  const wide = ctx.freshName(`${y}_wide`);
  const and: Node = { name: ctx.freshName(`${node.name}_mask`), opType: 'BitwiseAnd', domain: '', inputs: [wide, mask], outputs: [y], attrs: {} };
  return [{ ...node, outputs: [wide] }, and];
}

// BitwiseNot(x) of a widened unsigned type = x XOR all-ones of its width.
registerImportConverter({
  opType: 'BitwiseNot',
  sinceVersion: 18,
  convert(node, ctx) {
    const mask = widenedMask(ctx, node.inputs[0]!, node.name);
    if (!mask) return [node];
    return [{ ...node, opType: 'BitwiseXor', inputs: [node.inputs[0]!, mask] }];
  },
});

// BitShift LEFT of a widened unsigned type drops the bits shifted past its width.
registerImportConverter({
  opType: 'BitShift',
  sinceVersion: 11,
  convert(node, ctx) {
    if (node.attrs.direction?.value !== 'LEFT') return [node];
    const mask = widenedMask(ctx, node.inputs[0]!, node.name);
    return mask ? masked(node, ctx, mask) : [node];
  },
});

// BitCast reinterprets the input's bytes, so it needs the declared input type when nnrt holds the
// input widened: it is recorded in the nnrt attribute `nnrt_from` (the ONNX element type code).
registerImportConverter({
  opType: 'BitCast',
  sinceVersion: 26,
  convert(node, ctx) {
    const declared = ctx.onnxType(node.inputs[0]!);
    if (declared === undefined) return [node];
    return [{ ...node, attrs: { ...node.attrs, nnrt_from: { type: 'int', value: declared } } }];
  },
});

// GroupNormalization 18–20 took scale and bias per group; 21 per channel. The older form is kept
// and marked, as its per-channel expansion needs the channel count, unknown here.
registerImportConverter({
  opType: 'GroupNormalization',
  sinceVersion: 18,
  convert: (node) => [{ ...node, attrs: { ...node.attrs, nnrt_per_group: { type: 'int', value: 1 } } }],
});
registerImportConverter({ opType: 'GroupNormalization', sinceVersion: 21, convert: (node) => [node] });
