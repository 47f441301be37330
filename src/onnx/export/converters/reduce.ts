// Export converters for reductions, the Softmax family and ArgMax/ArgMin.
import type { Node } from '../../../ir/graph.js';
import { av, constInput, dropNewAttrs, NodeBuilder, rankOf, registerBase, registerExportConverter, type ExportContext } from '../converter.js';

const REDUCE_18 = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];
const SOFTMAX_13 = ['Softmax', 'LogSoftmax', 'Hardmax'];

registerBase(12, 'ArgMax', 'ArgMin');
registerBase(13, 'ReduceSum', ...SOFTMAX_13);
registerBase(18, ...REDUCE_18);

// Reductions before 18 (ReduceSum before 13) take `axes` as an attribute and have no
// noop_with_empty_axes: with it set and no axes the node is an Identity.
function reduceOlder(n: Node, ctx: ExportContext): Node[] {
  const axes = constInput(n, ctx, 1, 'axes');
  const { noop_with_empty_axes: noop, ...attrs } = n.attrs;
  if (!axes || axes.size === 0) {
    if (noop?.value) return [{ ...n, opType: 'Identity', inputs: [n.inputs[0]!], attrs: {} }];
    return [{ ...n, inputs: [n.inputs[0]!], attrs }];
  }
  return [{ ...n, inputs: [n.inputs[0]!], attrs: { ...attrs, axes: av.ints(axes.toNumbers()) } }];
}
for (const opType of [...REDUCE_18, 'ReduceSum']) registerExportConverter({ opType, sinceVersion: 1, convert: reduceOlder });

// Softmax-11 (and LogSoftmax, Hardmax) flattens dims [axis, rank) into one: the same as opset 13
// when the axis is the last; otherwise move the axis last, apply, and move it back.
function softmaxOlder(n: Node, ctx: ExportContext): Node[] {
  const x = n.inputs[0]!;
  const axis = Number(n.attrs.axis?.value ?? -1);
  const last = { ...n, attrs: { axis: av.int(-1) } }; // explicit: the old default axis is 1
  if (axis === -1) return [last];
  const rank = rankOf(n, ctx, x, `axis ${axis}`);
  const a = axis < 0 ? axis + rank : axis;
  if (a === rank - 1) return [last];
  const perm = Array.from({ length: rank }, (_, i) => (i === a ? rank - 1 : i === rank - 1 ? a : i));
  const b = new NodeBuilder(n, ctx);
  const moved = b.op('Transpose', [x], { perm: av.ints(perm) });
  const applied = b.op(n.opType, [moved], { axis: av.int(-1) });
  b.op('Transpose', [applied], { perm: av.ints(perm) }, [n.outputs[0]!]);
  return b.nodes;
}
for (const opType of SOFTMAX_13) registerExportConverter({ opType, sinceVersion: 1, convert: softmaxOlder });

// ArgMax/ArgMin-12 added select_last_index.
for (const opType of ['ArgMax', 'ArgMin']) {
  registerExportConverter({ opType, sinceVersion: 11, convert: (n, ctx) => [dropNewAttrs(n, ctx, 12, { select_last_index: 0 })] });
}
