// Copies that read the input through an affine index map: Slice (constant starts/ends/axes/steps,
// positive steps), Split (one layer per output: layers have one output), Expand, and Gather with
// constant indices that step evenly ([2], [0, 1, 2], a scalar that drops the axis). Any other
// Gather (computed indices, uneven or higher-rank constant ones) is a gather layer (gather.ts).
// Slice, Expand and Gather move data of any engine element type (integers and bool as i32). A Pad
// that adds nothing (zero or negative pads: a crop, as Swin's window padding at sizes that divide)
// is a slice too; a Pad that adds elements is declined.
import { Gather } from '../../ops/gather/gather.op.js';
import { sliceRanges } from '../../ops/slice/slice.op.js';
import type { InferInput } from '../../ops/op.js';
import { padAmounts } from '../../ops/pad/pad.op.js';
import { Split, splitSizes } from '../../ops/split/split.op.js';
import { anyOf, attrNumber, chain, check, constantOf, type SupportPredicate } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { compileSlice } from '../kernels/slice.js';
import type { LayerBase } from '../network.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import { anyTypeData0, floatData0 } from './rules.js';
import { gatherLayerRule, translateGatherLayer, type GatherLayer } from './gather.js';

export interface SliceLayer extends LayerBase {
  kind: 'slice';
  input: string;
  output: string;
  /** Input coordinate of output element 0, per input axis. */
  start: number[];
  /** Per output axis: the input axis it walks (-1: broadcast, the input coordinate stays put). */
  axes: number[];
  /** Per output axis: input elements per output step (≥ 0). */
  steps: number[];
}

const ints64 = (t: Tensor) => Array.from(t.numeric(), Number);

function layer(n: NodeView, output: string, start: number[], axes: number[], steps: number[], suffix = ''): SliceLayer {
  return { kind: 'slice', name: n.name + suffix, from: [n.node.name || n.name], input: n.node.inputs[0]!, output, start, axes, steps };
}

function translateSlice(n: NodeView): SliceLayer {
  const x = n.node.inputs[0]!;
  const shape = n.shape(x);
  const k = (i: number) => (n.node.inputs[i] ? ints64(n.constant(n.node.inputs[i]!) ?? n.fail(`input ${i} is not a constant`)) : undefined);
  const ranges = sliceRanges(shape, k(1)!, k(2)!, k(3), k(4));
  if (ranges.some((r) => r.step < 0)) n.fail('negative steps are not supported');
  return layer(n, n.node.outputs[0]!, ranges.map((r) => r.start), shape.map((_, i) => i), ranges.map((r) => r.step));
}

/** Split: one slice layer per output (the importer takes a list). */
function translateSplit(n: NodeView): SliceLayer[] {
  const shape = n.shape(n.node.inputs[0]!);
  const at = n.attrs(Split);
  const axis = normalizeAxis(at.axis, shape.length);
  const splitInput = n.node.inputs[1] ? n.constant(n.node.inputs[1]) ?? n.fail('split is not a constant') : undefined;
  const sizes = splitSizes(shape[axis]!, splitInput && ints64(splitInput), at.num_outputs, n.node.outputs.length);
  let offset = 0;
  return n.node.outputs.map((out, i) => {
    const start = shape.map((_, a) => (a === axis ? offset : 0));
    offset += sizes[i]!;
    return layer(n, out, start, shape.map((_, a) => a), shape.map(() => 1), i ? `:${i}` : '');
  });
}

function translateExpand(n: NodeView): SliceLayer {
  const xs = n.shape(n.node.inputs[0]!);
  const ys = n.shape(n.node.outputs[0]!);
  const lead = ys.length - xs.length;
  const axes = ys.map((_, k) => (k < lead || xs[k - lead] === 1 ? -1 : k - lead));
  return layer(n, n.node.outputs[0]!, xs.map(() => 0), axes, ys.map(() => 1));
}

function translatePad(n: NodeView): SliceLayer {
  const xs = n.shape(n.node.inputs[0]!);
  const value = (i: number): InferInput | undefined => {
    const v = n.node.inputs[i];
    if (!v) return undefined;
    const t = n.constant(v) ?? n.fail(`input ${i} is not a constant`);
    return { dtype: t.dtype, shape: t.shape, value: t };
  };
  const { begin, end } = padAmounts(xs, [{ dtype: 'float32', shape: xs }, value(1), undefined, value(3)]);
  if ([...begin, ...end].some((p) => p > 0)) n.fail('positive pads (adding elements) are not supported');
  return layer(n, n.node.outputs[0]!, begin.map((b) => -b), xs.map((_, a) => a), xs.map(() => 1));
}

/** Constant indices as an even progression: first index, step, count; undefined when uneven. */
function progression(idx: number[], dim: number): { first: number; step: number } | undefined {
  const v = idx.map((i) => (i < 0 ? i + dim : i));
  if (v.some((i) => i < 0 || i >= dim)) return undefined;
  const step = v.length > 1 ? v[1]! - v[0]! : 1;
  return (v.length === 1 || step > 0) && v.every((i, j) => i === v[0]! + j * step) ? { first: v[0]!, step } : undefined;
}

function translateGather(n: NodeView): SliceLayer | GatherLayer {
  const xs = n.shape(n.node.inputs[0]!);
  const axis = normalizeAxis(n.attrs(Gather).axis, xs.length);
  const it = n.constant(n.node.inputs[1]!);
  const p = it && it.shape.length <= 1 && !n.constant(n.node.inputs[0]!) ? progression(ints64(it), xs[axis]!) : undefined;
  if (!it || !p) return translateGatherLayer(n);
  const start = xs.map((_, a) => (a === axis ? p.first : 0));
  // a scalar index drops the axis; a list keeps it with its length
  const axes = xs.flatMap((_, a) => (a !== axis ? [a] : it.shape.length === 0 ? [] : [a]));
  const steps = axes.map((a) => (a === axis ? p.step : 1));
  return layer(n, n.node.outputs[0]!, start, axes, steps);
}

const constInputs = (from: number): SupportPredicate => check((node, ctx) => {
  const bad = node.inputs.slice(from).find((v) => v && !constantOf(v, ctx));
  return bad ? `${node.opType}: input ${bad} is not a constant` : undefined;
});

/** Constant indices stepping evenly over a computed table: a slice layer. */
const gatherSliceRule = check((node, ctx) => {
  const t = constantOf(node.inputs[1]!, ctx);
  if (!t) return 'Gather: computed indices';
  if (t.shape.length > 1) return `Gather: indices of rank ${t.shape.length} are not supported (rank 0 or 1)`;
  const dim = ctx.types.get(node.inputs[0]!)!.shape;
  const axis = normalizeAxis(attrNumber(node, 'axis', 0), dim.length);
  return progression(ints64(t), dim[axis]!) ? undefined : 'Gather: constant indices that do not step evenly are not supported';
});

const padAddsNothing = check((node, ctx) => {
  const pads = node.inputs[1] ? constantOf(node.inputs[1], ctx) : undefined;
  if (!pads) return 'Pad: pads are not a constant';
  if (node.inputs[3] && !constantOf(node.inputs[3], ctx)) return 'Pad: axes are not a constant';
  return ints64(pads).some((p) => p > 0) ? 'Pad: positive pads (adding elements) are not supported; zero or negative pads (a crop) are' : undefined;
});

const positiveSteps = check((node, ctx) => {
  const steps = node.inputs[4] ? constantOf(node.inputs[4], ctx) : undefined;
  return steps && ints64(steps).some((s) => s < 0) ? 'Slice: negative steps are not supported' : undefined;
});

/** Float data input 0 and every output float with a static shape. */
const floatOutputs = check((node, ctx) => {
  for (const o of node.outputs) {
    const t = ctx.types.get(o);
    if (!t || t.dtype !== 'float32' || t.shape.some((d) => d <= 0)) return `${node.opType}: output ${o} is not a non-empty float32 tensor with a static shape`;
  }
  return undefined;
});

export const sliceImporters: Record<string, OpImporter> = {
  Slice: { support: chain(anyTypeData0, constInputs(1), positiveSteps), translate: translateSlice },
  Split: { support: chain(floatData0, floatOutputs, constInputs(1)), translate: translateSplit },
  Expand: { support: chain(anyTypeData0, constInputs(1)), translate: translateExpand },
  Gather: { support: anyOf(chain(anyTypeData0, gatherSliceRule), gatherLayerRule), translate: translateGather },
  Pad: { support: chain(floatData0, padAddsNothing), translate: translatePad },
};

export const sliceKind: LayerKindDef<SliceLayer> = {
  inputs: (l) => [l.input],
  renameInputs(l, swap) {
    l.input = swap(l.input);
  },
  clone: (l) => ({ ...l, from: [...l.from], start: [...l.start], axes: [...l.axes], steps: [...l.steps] }),
  lower(e, l) {
    // Slice on the walked axes, then Reshape/Expand to the output (broadcast axes, dropped ones)
    const xs = e.shape(l.input);
    const ys = e.shape(l.output);
    const walked = l.axes.filter((a) => a >= 0);
    const ends = walked.map((a) => l.start[a]! + (ys[l.axes.indexOf(a)]! - 1) * l.steps[l.axes.indexOf(a)]! + 1);
    const axesT = Tensor.fromNumeric('int64', [walked.length], walked);
    const dropped = xs.map((_, a) => a).filter((a) => !walked.includes(a));
    const startAll = [...walked.map((a) => l.start[a]!), ...dropped.map((a) => l.start[a]!)];
    const endAll = [...ends, ...dropped.map((a) => l.start[a]! + 1)];
    const stepAll = [...walked.map((a) => l.steps[l.axes.indexOf(a)]! || 1), ...dropped.map(() => 1)];
    const sliced = e.node('Slice', [
      l.input,
      e.initializer('starts', Tensor.fromNumeric('int64', [startAll.length], startAll)),
      e.initializer('ends', Tensor.fromNumeric('int64', [endAll.length], endAll)),
      e.initializer('axes', Tensor.fromNumeric('int64', [startAll.length], [...axesT.numeric(), ...dropped].map(Number))),
      e.initializer('steps', Tensor.fromNumeric('int64', [stepAll.length], stepAll)),
    ], {}, e.value(false));
    // the sliced walked axes in input order, the output has them in `axes` order with broadcasts (always increasing here)
    const kept = ys.map((d, k) => (l.axes[k]! < 0 ? 1 : d));
    const reshaped = e.node('Reshape', [sliced, e.initializer('shape', Tensor.fromNumeric('int64', [kept.length], kept))], {}, e.value(false));
    e.node('Expand', [reshaped, e.initializer('expand', Tensor.fromNumeric('int64', [ys.length], [...ys]))], {}, l.output);
  },
  compile: compileSlice,
};
