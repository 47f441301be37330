// Layers: Convolution, Deconvolution, BatchNorm, FullyConnected, Pooling, activations, softmax family.
import { ShapeError } from '../../errors.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { int64s, ir, requireNCHW, scalarLike, spatial, unsupported, type ConvertContext } from './context.js';
import { registerMxConverter } from './registry.js';

registerMxConverter(['Convolution'], (ctx) => {
  requireNCHW(ctx);
  const kernel = ctx.attrs.ints('kernel');
  const nd = kernel.length;
  const pad = spatial(ctx, 'pad', nd, 0);
  const inputs = [ctx.input(0, 'data'), ctx.input(1, 'weight')];
  if (!ctx.attrs.bool('no_bias', false)) inputs.push(ctx.input(2, 'bias'));
  ctx.emit('Conv', inputs, {
    kernel_shape: ir.ints(kernel),
    strides: ir.ints(spatial(ctx, 'stride', nd, 1)),
    dilations: ir.ints(spatial(ctx, 'dilate', nd, 1)),
    pads: ir.ints([...pad, ...pad]),
    group: ir.int(ctx.attrs.int('num_group', 1)),
  }, [ctx.output()]);
});

registerMxConverter(['Deconvolution'], (ctx) => {
  requireNCHW(ctx);
  const kernel = ctx.attrs.ints('kernel');
  const nd = kernel.length;
  const stride = spatial(ctx, 'stride', nd, 1);
  const dilate = spatial(ctx, 'dilate', nd, 1);
  let pad = spatial(ctx, 'pad', nd, 0);
  let adj = spatial(ctx, 'adj', nd, 0);
  const data = ctx.input(0, 'data');
  const target = ctx.attrs.ints('target_shape', []);
  if (target.length && target.some((t) => t !== 0)) {
    // MXNet derives pad and adj from target_shape: total = s·(in−1) + d·(k−1) + 1 − target
    const spatialIn = ctx.needShape(data, 'Deconvolution with target_shape derives its padding from the input size').slice(2);
    const totals = target.map((t, i) => stride[i]! * (spatialIn[i]! - 1) + dilate[i]! * (kernel[i]! - 1) + 1 - t);
    if (totals.some((t) => t < 0)) throw new ShapeError(`target_shape (${target.join(',')}) is larger than the deconvolution can produce`, { where: ctx.where });
    adj = totals.map((t) => t % 2);
    pad = totals.map((t) => Math.floor((t + 1) / 2));
  }
  const inputs = [data, ctx.input(1, 'weight')];
  if (!ctx.attrs.bool('no_bias', true)) inputs.push(ctx.input(2, 'bias'));
  ctx.emit('ConvTranspose', inputs, {
    kernel_shape: ir.ints(kernel),
    strides: ir.ints(stride),
    dilations: ir.ints(dilate),
    pads: ir.ints([...pad, ...pad]),
    output_padding: ir.ints(adj),
    group: ir.int(ctx.attrs.int('num_group', 1)),
  }, [ctx.output()]);
});

registerMxConverter(['BatchNorm'], (ctx) => {
  // Inference always normalizes with the moving statistics (use_global_stats only matters in training).
  const data = ctx.input(0, 'data');
  let gamma = ctx.input(1, 'gamma');
  const [beta, mean, variance] = [ctx.input(2, 'beta'), ctx.input(3, 'moving_mean'), ctx.input(4, 'moving_var')];
  let axis = ctx.attrs.int('axis', 1);
  if (axis !== 1) axis = normalizeAxis(axis, ctx.needShape(data, 'BatchNorm on an axis other than 1 is transposed to axis 1').length);
  if (ctx.attrs.bool('fix_gamma', true)) {
    // fix_gamma: MXNet ignores the stored gamma and scales by 1
    const channels = ctx.constantOf(gamma)?.shape ?? [ctx.needShape(data, 'fix_gamma replaces gamma by ones')[axis]!];
    gamma = ctx.constant(`${ctx.node.name}_gamma_fixed`, Tensor.fromNumeric('float32', channels, new Float32Array(channels[0]!).fill(1)));
  }
  const attrs = { epsilon: ir.float(ctx.attrs.float('eps', 1e-3)) };
  if (axis === 1) {
    ctx.emit('BatchNormalization', [data, gamma, beta, mean, variance], attrs, [ctx.output()]);
    return;
  }
  const rank = ctx.shapeOf(data)!.length;
  const perm = [0, axis, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== 0 && i !== axis)];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const [t] = ctx.emit('Transpose', [data], { perm: ir.ints(perm) });
  const [bn] = ctx.emit('BatchNormalization', [t!, gamma, beta, mean, variance], attrs);
  ctx.emit('Transpose', [bn!], { perm: ir.ints(inverse) }, [ctx.output()]);
});

registerMxConverter(['FullyConnected'], (ctx) => {
  let data = ctx.input(0, 'data');
  const weight = ctx.input(1, 'weight');
  const bias = ctx.attrs.bool('no_bias', false) ? undefined : ctx.input(2, 'bias');
  if (ctx.attrs.bool('flatten', true)) {
    // (N, d1, d2, ...) → (N, d1·d2·...) then y = x·Wᵀ + b
    if (ctx.shapeOf(data)?.length !== 2) [data] = ctx.emit('Flatten', [data], { axis: ir.int(1) });
    ctx.emit('Gemm', bias ? [data!, weight, bias] : [data!, weight], { transB: ir.int(1) }, [ctx.output()]);
    return;
  }
  // flatten=False: applies to the last axis of an input of any rank
  const [wt] = ctx.emit('Transpose', [weight], { perm: ir.ints([1, 0]) });
  if (!bias) {
    ctx.emit('MatMul', [data, wt!], {}, [ctx.output()]);
    return;
  }
  const [y] = ctx.emit('MatMul', [data, wt!]);
  ctx.emit('Add', [y!, bias], {}, [ctx.output()]);
});

const ACTIVATIONS: Record<string, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softrelu: 'Softplus', softsign: 'Softsign' };

registerMxConverter(['Activation'], (ctx) => {
  const act = ctx.attrs.str('act_type');
  const op = ACTIVATIONS[act] ?? unsupported(ctx, `act_type '${act}' is not supported; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
  ctx.emit(op, [ctx.input(0, 'data')], {}, [ctx.output()]);
});

registerMxConverter(['LeakyReLU'], (ctx) => {
  const data = ctx.input(0, 'data');
  const act = ctx.attrs.str('act_type', 'leaky');
  const slope = ctx.attrs.float('slope', 0.25);
  const out = [ctx.output()];
  switch (act) {
    case 'leaky': ctx.emit('LeakyRelu', [data], { alpha: ir.float(slope) }, out); return;
    case 'elu': ctx.emit('Elu', [data], { alpha: ir.float(slope) }, out); return;
    case 'selu': ctx.emit('Selu', [data], {}, out); return; // MXNet's constants are ONNX's defaults
    case 'gelu': ctx.emit('Gelu', [data], {}, out); return; // erf form, as MXNet computes it
    case 'rrelu': {
      // at inference the random slope is fixed to the middle of its range
      const mid = (ctx.attrs.float('lower_bound', 0.125) + ctx.attrs.float('upper_bound', 0.334)) / 2;
      ctx.emit('LeakyRelu', [data], { alpha: ir.float(mid) }, out);
      return;
    }
    case 'prelu': {
      // MXNet's gamma (C,) scales axis 1; ONNX PRelu broadcasts from the right, so gamma becomes (C, 1, ..., 1)
      let gamma = ctx.input(1, 'gamma');
      const rank = ctx.needShape(data, 'PReLU slopes are reshaped to broadcast over axis 1').length;
      const g = ctx.constantOf(gamma);
      const trailing = Math.max(rank - 2, 0);
      if (g && g.size > 1) gamma = ctx.constant(`${gamma}_bcast`, g.reshape([g.size, ...new Array<number>(trailing).fill(1)]));
      else if (!g && trailing) {
        [gamma] = ctx.emit('Unsqueeze', [gamma, int64s(ctx, `${ctx.node.name}_axes`, Array.from({ length: trailing }, (_, i) => i + 1))]);
      }
      ctx.emit('PRelu', [data, gamma!], {}, out);
      return;
    }
  }
  unsupported(ctx, `LeakyReLU act_type '${act}' is not supported; supported: leaky, prelu, elu, selu, gelu, rrelu`);
});

registerMxConverter(['Pooling'], (ctx) => {
  requireNCHW(ctx);
  const data = ctx.input(0, 'data');
  const type = ctx.attrs.choice('pool_type', 'max', ['max', 'avg', 'sum', 'lp']);
  const out = [ctx.output()];
  if (ctx.attrs.bool('global_pool', false)) {
    if (type === 'max') ctx.emit('GlobalMaxPool', [data], {}, out);
    else if (type === 'avg') ctx.emit('GlobalAveragePool', [data], {}, out);
    else if (type === 'lp') ctx.emit('GlobalLpPool', [data], { p: ir.int(ctx.attrs.int('p_value', 2)) }, out);
    else {
      const rank = ctx.needShape(data, 'global sum pooling reduces over the spatial axes').length;
      const axes = int64s(ctx, `${ctx.node.name}_axes`, Array.from({ length: rank - 2 }, (_, i) => i + 2));
      ctx.emit('ReduceSum', [data, axes], { keepdims: ir.int(1) }, out);
    }
    return;
  }
  const kernel = ctx.attrs.ints('kernel');
  const nd = kernel.length;
  const pad = spatial(ctx, 'pad', nd, 0);
  const convention = ctx.attrs.str('pooling_convention', 'valid');
  if (convention !== 'valid' && convention !== 'full') unsupported(ctx, `pooling_convention '${convention}' is not supported (valid, full)`);
  const attrs = {
    kernel_shape: ir.ints(kernel),
    strides: ir.ints(spatial(ctx, 'stride', nd, 1)),
    pads: ir.ints([...pad, ...pad]),
    ceil_mode: ir.int(convention === 'full' ? 1 : 0), // "full" rounds the output size up
  };
  if (type === 'max') ctx.emit('MaxPool', [data], attrs, out);
  else if (type === 'lp') ctx.emit('LpPool', [data], { ...attrs, p: ir.int(ctx.attrs.int('p_value', 2)) }, out);
  else if (type === 'avg') {
    ctx.emit('AveragePool', [data], { ...attrs, count_include_pad: ir.int(ctx.attrs.bool('count_include_pad', true) ? 1 : 0) }, out);
  } else {
    // sum = mean over a full window × window size. Windows must not be clipped, so "full" pooling
    // first zero-pads the right edges to where the last window ends.
    const size = kernel.reduce((a, k) => a * k, 1);
    const stride = spatial(ctx, 'stride', nd, 1);
    let input = data;
    let poolAttrs = { ...attrs, count_include_pad: ir.int(1) };
    if (convention === 'full') {
      const dims = ctx.needShape(data, 'sum pooling with the "full" convention pads to whole windows').slice(2);
      const extra = dims.map((d, i) => {
        const out = 1 + Math.ceil((d + 2 * pad[i]! - kernel[i]!) / stride[i]!);
        return (out - 1) * stride[i]! + kernel[i]! - (d + 2 * pad[i]!);
      });
      const pads = int64s(ctx, `${ctx.node.name}_pads`, [0, 0, ...pad, 0, 0, ...pad.map((p, i) => p + extra[i]!)]);
      [input] = ctx.emit('Pad', [data, pads], { mode: ir.string('constant') });
      poolAttrs = { ...poolAttrs, pads: ir.ints(new Array<number>(2 * nd).fill(0)), ceil_mode: ir.int(0) };
    }
    const [avg] = ctx.emit('AveragePool', [input!], poolAttrs);
    ctx.emit('Mul', [avg!, scalarLike(ctx, `${ctx.node.name}_window`, size, data)], {}, out);
  }
});

/** Softmax over all axes but the first (MXNet's "instance" softmax): flatten, softmax, restore the shape. */
function instanceSoftmax(ctx: ConvertContext, data: string): void {
  const shape = ctx.shapeOf(data);
  if (shape?.length === 2) {
    ctx.emit('Softmax', [data], { axis: ir.int(1) }, [ctx.output()]);
    return;
  }
  const full = ctx.needShape(data, 'softmax over all non-batch axes flattens and restores the input shape');
  const [flat] = ctx.emit('Flatten', [data], { axis: ir.int(1) });
  const [sm] = ctx.emit('Softmax', [flat!], { axis: ir.int(1) });
  ctx.emit('Reshape', [sm!, int64s(ctx, `${ctx.node.name}_shape`, full)], {}, [ctx.output()]);
}

registerMxConverter(['SoftmaxOutput', 'Softmax'], (ctx) => {
  // inference: the label input is unused and the output is the softmax itself
  const data = ctx.input(0, 'data');
  if (ctx.attrs.bool('multi_output', false)) ctx.emit('Softmax', [data], { axis: ir.int(1) }, [ctx.output()]);
  else if (ctx.attrs.bool('preserve_shape', false)) ctx.emit('Softmax', [data], { axis: ir.int(-1) }, [ctx.output()]);
  else instanceSoftmax(ctx, data);
});

registerMxConverter(['SoftmaxActivation'], (ctx) => {
  const data = ctx.input(0, 'data');
  if (ctx.attrs.choice('mode', 'instance', ['instance', 'channel']) === 'channel') ctx.emit('Softmax', [data], { axis: ir.int(1) }, [ctx.output()]);
  else instanceSoftmax(ctx, data);
});

function softmaxOnAxis(op: 'Softmax' | 'LogSoftmax') {
  return (ctx: ConvertContext) => {
    let data = ctx.input(0, 'data');
    if (ctx.attrs.bool('use_length', false)) unsupported(ctx, 'softmax with use_length=True is not supported');
    const temperature = ctx.attrs.has('temperature') ? ctx.attrs.float('temperature') : 1;
    if (temperature !== 1) [data] = ctx.emit('Div', [data, scalarLike(ctx, `${ctx.node.name}_temperature`, temperature, data)]);
    ctx.emit(op, [data!], { axis: ir.int(ctx.attrs.int('axis', -1)) }, [ctx.output()]);
  };
}
registerMxConverter(['softmax'], softmaxOnAxis('Softmax'));
registerMxConverter(['log_softmax'], softmaxOnAxis('LogSoftmax'));

// Training heads: at inference the output is the prediction itself (the label input is unused).
registerMxConverter(['LinearRegressionOutput', 'MAERegressionOutput'], (ctx) => {
  ctx.emit('Identity', [ctx.input(0, 'data')], {}, [ctx.output()]);
});
registerMxConverter(['LogisticRegressionOutput'], (ctx) => {
  ctx.emit('Sigmoid', [ctx.input(0, 'data')], {}, [ctx.output()]);
});
