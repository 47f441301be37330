// Export converters for convolution, matrix products, pooling and normalization.
import type { Node } from '../../../ir/graph.js';
import { ONNX_DTYPE } from '../../proto.js';
import {
  av, dropNewAttrs, dtypeOf, notExportable, NodeBuilder, rankOf, registerBase, registerExportConverter, type ExportContext,
} from '../converter.js';
import { ONNX_DTYPE_OF } from '../tensor.js';

registerBase(1, 'Conv', 'ConvTranspose', 'MatMul', 'GlobalAveragePool', 'GlobalMaxPool', 'LRN', 'LpNormalization');
registerBase(6, 'InstanceNormalization');
registerBase(9, 'MeanVarianceNormalization');
registerBase(10, 'MaxPool');
registerBase(11, 'Gemm');
registerBase(12, 'Einsum');
registerBase(15, 'BatchNormalization');
registerBase(17, 'LayerNormalization');
registerBase(18, 'LpPool', 'Col2Im');
registerBase(19, 'AveragePool', 'DeformConv');
registerBase(21, 'GroupNormalization');

const allOnes = (v: unknown) => Array.isArray(v) && v.every((x) => x === 1);

// AveragePool-19 added dilations; LpPool-18 added dilations and ceil_mode.
registerExportConverter({ opType: 'AveragePool', sinceVersion: 10, convert: (n, ctx) => [dropNewAttrs(n, ctx, 19, { dilations: allOnes })] });
registerExportConverter({ opType: 'LpPool', sinceVersion: 11, convert: (n, ctx) => [dropNewAttrs(n, ctx, 18, { dilations: allOnes, ceil_mode: 0 })] });

// BatchNormalization before 15 takes one type for X and its parameters; before 14 there is no
// training_mode and the optional outputs are training statistics.
function batchNormOlder(n: Node, ctx: ExportContext): Node[] {
  const x = dtypeOf(ctx, n.inputs[0]!);
  for (const p of n.inputs.slice(1)) {
    const t = ctx.typeOf(p);
    if (t && t.dtype !== x) throw notExportable(n, ctx, `with ${t.dtype} parameters for ${x} input`, 'export with opset ≥ 15');
  }
  if (ctx.opset >= 14) return [n];
  if (n.outputs.length > 1) throw notExportable(n, ctx, 'with running-statistics outputs (training mode)');
  return [dropNewAttrs(n, ctx, 14, { training_mode: 0 })];
}
registerExportConverter({ opType: 'BatchNormalization', sinceVersion: 9, convert: batchNormOlder });
registerExportConverter({ opType: 'BatchNormalization', sinceVersion: 14, convert: batchNormOlder });

// LayerNormalization before opset 17, as its ONNX function body: normalize over axes [axis, rank)
// in the stash type (float32 when stash_type = 1), cast back, then scale and shift.
registerExportConverter({ opType: 'LayerNormalization', sinceVersion: 1, convert: layerNormDecomposed });

function layerNormDecomposed(n: Node, ctx: ExportContext): Node[] {
  const [x, scale, bias] = n.inputs as [string, string, string | undefined];
  const [y, meanOut, invStdOut] = n.outputs as [string, string | undefined, string | undefined];
  const axis = Number(n.attrs.axis?.value ?? -1);
  const epsilon = Number(n.attrs.epsilon?.value ?? 1e-5);
  // negative axes name the trailing dims without knowing the rank
  const axes = axis < 0 ? Array.from({ length: -axis }, (_, i) => axis + i) : range(axis, rankOf(n, ctx, x, 'a non-negative axis'));
  const dtype = dtypeOf(ctx, x);
  const stashCode = Number(n.attrs.stash_type?.value ?? ONNX_DTYPE.FLOAT);
  const stash = stashCode === ONNX_DTYPE.FLOAT ? 'float32' : stashCode === ONNX_DTYPE.FLOAT16 ? 'float16' : undefined;
  if (!stash) throw notExportable(n, ctx, `with stash_type ${stashCode}`);
  const b = new NodeBuilder(n, ctx);
  const xs = stash === dtype ? x : b.op('Cast', [x], { to: av.int(stashCode) });
  const axesConst = b.constant('int64', axes);
  const mean = b.op('ReduceMean', [xs, axesConst], { keepdims: av.int(1) }, meanOut ? [meanOut] : undefined);
  const centered = b.op('Sub', [xs, mean]);
  const variance = b.op('ReduceMean', [b.op('Mul', [centered, centered]), axesConst], { keepdims: av.int(1) });
  const std = b.op('Sqrt', [b.op('Add', [variance, b.constant(stash, epsilon)])]);
  const invStd = b.op('Reciprocal', [std], {}, invStdOut ? [invStdOut] : undefined);
  let normalized = b.op('Mul', [centered, invStd]);
  if (stash !== dtype) normalized = b.op('Cast', [normalized], { to: av.int(ONNX_DTYPE_OF[dtype]) });
  if (bias) b.op('Add', [b.op('Mul', [normalized, scale]), bias], {}, [y]);
  else b.op('Mul', [normalized, scale], {}, [y]);
  return b.nodes;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
