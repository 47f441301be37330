// Import converters for the elementwise op family (older opsets → IR form).
//
// Within opsets 7+, only Clip (min/max attributes until 11) and Dropout (ratio attribute until
// 12, a mask of the input's type until 10) changed form. The others only gained types or
// broadcasting (Max/Min/Sum/Mean at 8), which the newest forms cover, so they pass through.
// CastLike is resolved against the declared type of its target when that type is held widened
// (CastLike to a float8 value must round onto float8's grid, not just to float32).
import type { AttrValue } from '../../../ir/attr.js';
import type { Node } from '../../../ir/graph.js';
import { Tensor } from '../../../tensor/tensor.js';
import { registerImportConverter, type ConvertContext } from '../converter.js';

/** From `sinceVersion` on, nodes of `opType` are in IR form and pass through unchanged. */
function irFormSince(opType: string, sinceVersion: number): void {
  registerImportConverter({ opType, sinceVersion, convert: (node) => [node] });
}

/** A CastLike node writing `value` with the dtype of `like` to `output`. */
function castLike(ctx: ConvertContext, value: string, like: string, output: string): Node {
  return { name: ctx.freshName(`${output}_cast`), opType: 'CastLike', domain: '', inputs: [value, like], outputs: [output], attrs: {} };
}

const FLT_MAX = 3.4028234663852886e38;

// Clip-6: bounds are float attributes defaulting to ∓FLT_MAX; Clip-11 takes them as inputs of
// x's type, so each becomes a float32 constant cast like x.
registerImportConverter({
  opType: 'Clip',
  sinceVersion: 1, // Clip-1 is Clip-6 with consumed_inputs (dropped on import)
  convert(node, ctx) {
    const { min, max, ...attrs } = node.attrs;
    const x = node.inputs[0]!;
    const casts: Node[] = [];
    const bound = (a: AttrValue | undefined, fallback: number, which: string): string => {
      const value = a?.type === 'float' || a?.type === 'int' ? a.value : fallback;
      const constant = ctx.addConstant(`${node.name}_${which}`, Tensor.scalar('float32', value));
      const output = ctx.freshName(`${node.name}_${which}_like_x`);
      casts.push(castLike(ctx, constant, x, output));
      return output;
    };
    const inputs = [x, bound(min, -FLT_MAX, 'min'), bound(max, FLT_MAX, 'max')];
    return [...casts, { ...node, inputs, attrs }];
  },
});
irFormSince('Clip', 11);

// Dropout-1/6/7/10: ratio is an attribute (opsets 1 and 6 also have is_test); none of them has a
// training mode, so the node becomes an inference Dropout and ratio is dropped. Opsets 7–9 type
// the mask like the input; from 10 on it is bool.
function inferenceDropout(node: Node, ctx: ConvertContext, maskLikeInput: boolean): Node[] {
  const attrs = { ...node.attrs };
  delete attrs.ratio;
  delete attrs.is_test;
  const x = node.inputs[0]!;
  const [output, mask] = node.outputs;
  if (!maskLikeInput || !mask) return [{ ...node, inputs: [x], attrs }];
  const boolMask = ctx.freshName(`${mask}_bool`);
  return [{ ...node, inputs: [x], outputs: [output!, boolMask], attrs }, castLike(ctx, boolMask, x, mask)];
}
registerImportConverter({ opType: 'Dropout', sinceVersion: 1, convert: (node, ctx) => inferenceDropout(node, ctx, true) });
registerImportConverter({ opType: 'Dropout', sinceVersion: 10, convert: (node, ctx) => inferenceDropout(node, ctx, false) });
irFormSince('Dropout', 12);

// CastLike to a value whose declared type nnrt holds widened → Cast to that declared type.
registerImportConverter({
  opType: 'CastLike',
  sinceVersion: 15,
  convert(node, ctx) {
    const declared = ctx.onnxType(node.inputs[1]!);
    if (declared === undefined) return [node];
    const attrs = { ...node.attrs, to: { type: 'int', value: declared } as const };
    return [{ ...node, opType: 'Cast', inputs: [node.inputs[0]!], attrs }];
  },
});
