// Gather along one axis with an index tensor: computed indices (token ids into an embedding
// table, position ids) or constant indices that do not step evenly (those that do are slice
// layers, layers/slice.ts). Data may be a network tensor or a constant table, of any engine
// element type; indices are integers (i32 on the device). Output shape: data.shape[:axis] +
// indices.shape + data.shape[axis+1:].
import { Gather } from '../../ops/gather/gather.op.js';
import { check, constantOf, type SupportPredicate } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { compileGather } from '../kernels/gather.js';
import { netDTypeOf, type LayerBase } from '../network.js';
import { constOperand, constOperandIndex, isConstOperand } from '../passes/pw-expr.js';
import { int, type Emitter } from './emitter.js';
import type { LayerKindDef } from './kind.js';
import { base, type NodeView } from './node-view.js';
import { typedConstantTensor, type TypedConstant } from './typed.js';

export interface GatherLayer extends LayerBase {
  kind: 'gather';
  /** The table: a tensor, or `const:0` (constants[0]). */
  data: string;
  /** The index tensor, or `const:1` (constants[1], i32 values). */
  indices: string;
  axis: number;
  /** Constant operands by `const:i` index (entries may be absent). */
  constants?: (TypedConstant | undefined)[];
  output: string;
}

const I32_MAX = 2147483647;

function constantOperand(t: Tensor, what: string, n: NodeView): TypedConstant {
  const dtype = netDTypeOf(t.dtype) ?? n.fail(`${what} is ${t.dtype}`);
  const nums = t.numeric();
  if (dtype === 'float32') return { dtype, shape: [...t.shape], values: Float32Array.from(nums) };
  if (nums.some((v) => Math.abs(Number(v)) > I32_MAX)) n.fail(`${what} holds values beyond 32-bit integers`);
  return { dtype, shape: [...t.shape], values: Int32Array.from(nums, Number) };
}

/** Gather translated as a gather layer (the slice importer hands over the cases it cannot take). */
export function translateGatherLayer(n: NodeView): GatherLayer {
  const [data, indices] = n.node.inputs as [string, string];
  const axis = normalizeAxis(n.attrs(Gather).axis, n.shape(data).length);
  const constants: (TypedConstant | undefined)[] = [];
  const dataConst = n.constant(data);
  const idxConst = n.constant(indices);
  if (dataConst) constants[0] = constantOperand(dataConst, 'the table', n);
  if (idxConst) constants[1] = constantOperand(idxConst, 'the indices', n);
  return {
    kind: 'gather', ...base(n), axis,
    data: dataConst ? constOperand(0) : data,
    indices: idxConst ? constOperand(1) : indices,
    output: n.node.outputs[0]!,
    ...(constants.length ? { constants } : {}),
  };
}

/** Data and output of an engine element type, integer indices, static non-empty shapes. */
export const gatherLayerRule: SupportPredicate = check((node, ctx) => {
  const [data, indices] = node.inputs as [string, string];
  const t = { data: ctx.types.get(data), indices: ctx.types.get(indices), out: ctx.types.get(node.outputs[0] ?? '') };
  for (const [what, v] of Object.entries(t)) {
    if (!v) return `Gather: the type of the ${what} is not known`;
    if (v.shape.some((d) => !Number.isInteger(d) || d <= 0)) return `Gather: the ${what} shape [${v.shape.join(',')}] is not static and non-empty`;
  }
  if (!netDTypeOf(t.data!.dtype)) return `Gather: ${t.data!.dtype} data (the engine takes float32, int64, int32, bool)`;
  if (t.indices!.dtype !== 'int64' && t.indices!.dtype !== 'int32') return `Gather: ${t.indices!.dtype} indices`;
  const c = constantOf(indices, ctx);
  if (c && c.numeric().some((v) => Math.abs(Number(v)) > I32_MAX)) return 'Gather: constant indices beyond 32-bit integers';
  return undefined;
});

function lower(e: Emitter, l: GatherLayer): void {
  const operand = (v: string) => {
    if (!isConstOperand(v)) return v;
    return e.initializer(v === l.data ? 'table' : 'indices', typedConstantTensor(l.constants![constOperandIndex(v)]!));
  };
  e.node('Gather', [operand(l.data), operand(l.indices)], { axis: int(l.axis) }, l.output);
}

export const gatherKind: LayerKindDef<GatherLayer> = {
  inputs: (l) => [l.data, l.indices],
  renameInputs(l, swap) {
    l.data = swap(l.data);
    l.indices = swap(l.indices);
  },
  clone: (l) => ({ ...l, from: [...l.from], ...(l.constants ? { constants: [...l.constants] } : {}) }),
  lower,
  compile: compileGather,
  // the kernel indexes data and output row-major
  rowMajor: true,
};
