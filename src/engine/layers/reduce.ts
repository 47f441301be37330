// Reductions over constant axes (ReduceSum/Mean/Max/Min/Prod/L1/L2/SumSquare/LogSum), keepdims
// either way: the kept elements are the same in the same row-major order, so only the output
// shape (a network tensor) differs.
import { REDUCE_OPS, reducedAxes } from '../../ops/reduce/reduce.op.js';
import { chain, check, constantInput, constantOf } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileReduce } from '../kernels/reduce.js';
import type { LayerBase } from '../network.js';
import { int } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, io, type NodeView } from './node-view.js';
import { floatData0 } from './rules.js';

export type ReduceFn = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'l1' | 'l2' | 'sumsquare' | 'logsum';

export interface ReduceLayer extends LayerBase {
  kind: 'reduce';
  input: string;
  output: string;
  fn: ReduceFn;
  /** Reduced axes of the input (non-negative, ascending, at least one). */
  axes: number[];
}

const OPS: Record<string, ReduceFn> = {
  ReduceSum: 'sum', ReduceMean: 'mean', ReduceMax: 'max', ReduceMin: 'min', ReduceProd: 'prod',
  ReduceL1: 'l1', ReduceL2: 'l2', ReduceSumSquare: 'sumsquare', ReduceLogSum: 'logsum',
};
const ONNX_OP = Object.fromEntries(Object.entries(OPS).map(([k, v]) => [v, k])) as Record<ReduceFn, string>;

function axesOf(n: NodeView): number[] {
  const shape = n.shape(n.node.inputs[0]!);
  const v = n.node.inputs[1];
  const t = v ? n.constant(v) ?? n.fail('axes is not a constant') : undefined;
  const a = n.attrs(REDUCE_OPS.ReduceSum);
  const axes = reducedAxes(shape, t ? { dtype: 'int64', shape: [...t.shape], value: t } : undefined, a.noop_with_empty_axes);
  if (axes.length === 0) n.fail('no axis to reduce (noop_with_empty_axes)');
  return [...new Set(axes)].sort((p, q) => p - q);
}

const translate = (n: NodeView): ReduceLayer => ({ kind: 'reduce', ...base(n), ...io(n), fn: OPS[n.node.opType]!, axes: axesOf(n) });

const notNoop = check((node, ctx) => {
  const axes = node.inputs[1] ? constantOf(node.inputs[1], ctx) : undefined;
  const noop = node.attrs.noop_with_empty_axes?.value === 1;
  return noop && (!axes || axes.shape.reduce((p, q) => p * q, 1) === 0) ? `${node.opType}: noop_with_empty_axes with no axes is an identity` : undefined;
});

export const reduceImporters: Record<string, OpImporter> = Object.fromEntries(
  Object.keys(OPS).map((op) => [op, { support: chain(floatData0, constantInput(1, 'axes', true), notNoop), translate }]),
);

export const reduceKind: LayerKindDef<ReduceLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from], axes: [...l.axes] }),
  lower(e, l) {
    const keep = e.shape(l.output).length === e.shape(l.input).length ? 1 : 0;
    const axes = e.initializer('axes', Tensor.fromNumeric('int64', [l.axes.length], l.axes));
    e.node(ONNX_OP[l.fn], [l.input, axes], { keepdims: int(keep) }, l.output);
  },
  compile: compileReduce,
  rowMajor: true,
};
