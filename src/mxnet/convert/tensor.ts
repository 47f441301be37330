// Data movement: Flatten, Concat, SliceChannel, Reshape, transpose, Pad, reductions, UpSampling,
// Crop, slicing, expand_dims/squeeze.
import { ShapeError } from '../../errors.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { INT64_MAX, INT64_MIN, int64s, ir, unsupported, type ConvertContext } from './context.js';
import { mxReshapeTarget } from './reshape-shape.js';
import { registerMxConverter } from './registry.js';

registerMxConverter(['Flatten', 'flatten'], (ctx) => {
  ctx.emit('Flatten', [ctx.input(0, 'data')], { axis: ir.int(1) }, [ctx.output()]);
});

registerMxConverter(['Concat', 'concat'], (ctx) => {
  const inputs = Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i, `arg ${i}`));
  ctx.emit('Concat', inputs, { axis: ir.int(ctx.attrs.int('dim', 1)) }, [ctx.output()]);
});

registerMxConverter(['SliceChannel', 'split'], (ctx) => {
  const n = ctx.attrs.int('num_outputs');
  const axis = ctx.attrs.int('axis', 1);
  const outs = Array.from({ length: n }, (_, i) => ctx.output(i));
  if (!ctx.attrs.bool('squeeze_axis', false)) {
    ctx.emit('Split', [ctx.input(0, 'data')], { axis: ir.int(axis), num_outputs: ir.int(n) }, outs);
    return;
  }
  const parts = ctx.emit('Split', [ctx.input(0, 'data')], { axis: ir.int(axis), num_outputs: ir.int(n) }, n);
  const axes = int64s(ctx, `${ctx.node.name}_axes`, [axis]);
  parts.forEach((p, i) => ctx.emit('Squeeze', [p, axes], {}, [outs[i]!]));
});

registerMxConverter(['Reshape', 'reshape'], (ctx) => {
  const data = ctx.input(0, 'data');
  const inShape = ctx.needShape(data, 'MXNet reshape codes are resolved against the input shape');
  let spec = ctx.attrs.ints('shape', []);
  let reverse = ctx.attrs.bool('reverse', false);
  if (spec.length === 0) {
    // deprecated form: target_shape, 0 = inferred, keep_highest keeps the first dim
    const target = ctx.attrs.ints('target_shape', []).map((d) => (d === 0 ? -1 : d));
    if (!target.length) unsupported(ctx, 'Reshape needs a shape (or the legacy target_shape)');
    spec = ctx.attrs.bool('keep_highest', false) ? [0, ...target] : target;
    reverse = false;
  }
  const target = mxReshapeTarget(inShape, spec, reverse, ctx.where);
  ctx.emit('Reshape', [data, int64s(ctx, `${ctx.node.name}_shape`, target)], {}, [ctx.output()]);
});

registerMxConverter(['transpose'], (ctx) => {
  const axes = ctx.attrs.ints('axes', []);
  ctx.emit('Transpose', [ctx.input(0, 'data')], axes.length ? { perm: ir.ints(axes) } : {}, [ctx.output()]);
});

registerMxConverter(['Pad', 'pad'], (ctx) => {
  const data = ctx.input(0, 'data');
  const mode = ctx.attrs.choice('mode', 'constant', ['constant', 'edge', 'reflect']);
  const width = ctx.attrs.ints('pad_width');
  if (width.length % 2) throw new ShapeError(`pad_width has ${width.length} entries; it needs (before, after) per axis`, { where: ctx.where });
  // MXNet: (before0, after0, before1, after1, ...); ONNX: (before0, before1, ..., after0, after1, ...)
  const pads = [...width.filter((_, i) => i % 2 === 0), ...width.filter((_, i) => i % 2 === 1)];
  const inputs = [data, int64s(ctx, `${ctx.node.name}_pads`, pads)];
  if (mode === 'constant') {
    inputs.push(ctx.constant(`${ctx.node.name}_value`, Tensor.scalar(ctx.dtypeOf(data) ?? 'float32', ctx.attrs.float('constant_value', 0))));
  }
  ctx.emit('Pad', inputs, { mode: ir.string(mode) }, [ctx.output()]);
});

function reduce(op: string) {
  return (ctx: ConvertContext) => {
    const data = ctx.input(0, 'data');
    let axes = ctx.attrs.has('axis') ? ctx.attrs.ints('axis') : [];
    if (ctx.attrs.bool('exclude', false)) {
      const rank = ctx.needShape(data, 'exclude=True reduces over the complement of axis').length;
      const kept = new Set(axes.map((a) => normalizeAxis(a, rank)));
      axes = Array.from({ length: rank }, (_, i) => i).filter((i) => !kept.has(i));
    }
    const inputs = axes.length ? [data, int64s(ctx, `${ctx.node.name}_axes`, axes)] : [data];
    ctx.emit(op, inputs, { keepdims: ir.int(ctx.attrs.bool('keepdims', false) ? 1 : 0) }, [ctx.output()]);
  };
}
registerMxConverter(['mean'], reduce('ReduceMean'));
registerMxConverter(['sum', 'sum_axis'], reduce('ReduceSum'));
registerMxConverter(['max', 'max_axis'], reduce('ReduceMax'));
registerMxConverter(['min', 'min_axis'], reduce('ReduceMin'));

registerMxConverter(['UpSampling'], (ctx) => {
  const type = ctx.attrs.str('sample_type');
  if (type !== 'nearest') unsupported(ctx, `UpSampling sample_type '${type}' is not supported (nearest only; bilinear is a Deconvolution with learned weights)`);
  if (ctx.attrs.int('num_args', 1) !== 1) unsupported(ctx, 'UpSampling of several inputs (num_args > 1) is not supported');
  const s = ctx.attrs.int('scale');
  const scales = ctx.constant(`${ctx.node.name}_scales`, Tensor.fromArray([4], [1, 1, s, s]));
  ctx.emit('Resize', [ctx.input(0, 'data'), '', scales], {
    mode: ir.string('nearest'),
    coordinate_transformation_mode: ir.string('asymmetric'),
    nearest_mode: ir.string('floor'),
  }, [ctx.output()]);
});

registerMxConverter(['Crop'], (ctx) => {
  const data = ctx.input(0, 'data');
  const shape = ctx.needShape(data, 'Crop resolves its window against the input size');
  let [h, w] = ctx.attrs.ints('h_w', [0, 0]) as [number, number];
  if (ctx.attrs.int('num_args', 1) === 2) {
    const like = ctx.needShape(ctx.input(1, 'crop_like'), 'Crop takes its size from the second input');
    [h, w] = [like[2]!, like[3]!];
  }
  let [y, x] = ctx.attrs.ints('offset', [0, 0]) as [number, number];
  if (ctx.attrs.bool('center_crop', false)) [y, x] = [Math.floor((shape[2]! - h) / 2), Math.floor((shape[3]! - w) / 2)];
  if (y < 0 || x < 0 || y + h > shape[2]! || x + w > shape[3]!) {
    throw new ShapeError(`crop window ${h}x${w} at (${y}, ${x}) does not fit the input ${shape[2]}x${shape[3]}`, { where: ctx.where });
  }
  const n = ctx.node.name;
  ctx.emit('Slice', [data, int64s(ctx, `${n}_starts`, [y, x]), int64s(ctx, `${n}_ends`, [y + h, x + w]), int64s(ctx, `${n}_axes`, [2, 3])], {}, [ctx.output()]);
});

registerMxConverter(['slice_axis'], (ctx) => {
  const n = ctx.node.name;
  const end = ctx.attrs.optInt('end');
  ctx.emit('Slice', [
    ctx.input(0, 'data'),
    int64s(ctx, `${n}_starts`, [ctx.attrs.int('begin')]),
    int64s(ctx, `${n}_ends`, [end ?? INT64_MAX]),
    int64s(ctx, `${n}_axes`, [ctx.attrs.int('axis')]),
  ], {}, [ctx.output()]);
});

registerMxConverter(['slice', 'crop'], (ctx) => {
  const begin = ctx.attrs.optInts('begin');
  const end = ctx.attrs.optInts('end');
  const step = ctx.attrs.optInts('step', []);
  if (begin.length !== end.length) throw new ShapeError(`begin has ${begin.length} entries, end ${end.length}`, { where: ctx.where });
  const steps = begin.map((_, i) => step[i] ?? 1);
  // None: from the first element in the step's direction to the last (ONNX clamps the extremes)
  const starts = begin.map((b, i) => b ?? (steps[i]! > 0 ? 0 : INT64_MAX));
  const ends = end.map((e, i) => e ?? (steps[i]! > 0 ? INT64_MAX : INT64_MIN));
  const n = ctx.node.name;
  ctx.emit('Slice', [
    ctx.input(0, 'data'),
    int64s(ctx, `${n}_starts`, starts),
    int64s(ctx, `${n}_ends`, ends),
    int64s(ctx, `${n}_axes`, begin.map((_, i) => i)),
    int64s(ctx, `${n}_steps`, steps),
  ], {}, [ctx.output()]);
});

registerMxConverter(['expand_dims'], (ctx) => {
  ctx.emit('Unsqueeze', [ctx.input(0, 'data'), int64s(ctx, `${ctx.node.name}_axes`, [ctx.attrs.int('axis')])], {}, [ctx.output()]);
});

registerMxConverter(['squeeze'], (ctx) => {
  const axes = ctx.attrs.has('axis') ? ctx.attrs.ints('axis') : [];
  const inputs = [ctx.input(0, 'data')];
  if (axes.length) inputs.push(int64s(ctx, `${ctx.node.name}_axes`, axes));
  ctx.emit('Squeeze', inputs, {}, [ctx.output()]);
});
