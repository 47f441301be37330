// Elementwise ops: binary arithmetic (same-shape and broadcasting), the `_*_scalar` family,
// unary math, clip, and the ops that are the identity at inference.
import { registerMxConverter } from './registry.js';
import { scalarLike, unsupported, type ConvertContext } from './context.js';

const BINARY: [string, string[]][] = [
  ['Add', ['elemwise_add', 'broadcast_add', 'broadcast_plus', '_plus', '_Plus', '_add']],
  ['Sub', ['elemwise_sub', 'broadcast_sub', 'broadcast_minus', '_minus', '_Minus', '_sub']],
  ['Mul', ['elemwise_mul', 'broadcast_mul', '_mul', '_Mul']],
  ['Div', ['elemwise_div', 'broadcast_div', '_div', '_Div']],
  ['Max', ['broadcast_maximum', '_maximum', '_Maximum']],
  ['Min', ['broadcast_minimum', '_minimum', '_Minimum']],
  ['Pow', ['broadcast_power', '_power', '_Power']],
];
for (const [op, names] of BINARY) {
  registerMxConverter(names, (ctx) => {
    ctx.emit(op, [ctx.input(0, 'lhs'), ctx.input(1, 'rhs')], {}, [ctx.output()]);
  });
}

registerMxConverter(['add_n', 'ElementWiseSum'], (ctx) => {
  const inputs = Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i, `arg ${i}`));
  ctx.emit('Sum', inputs, {}, [ctx.output()]);
});

/** x ∘ scalar, or scalar ∘ x for the reversed (`_r*`) forms. */
const SCALAR: [string, boolean, string[]][] = [
  ['Add', false, ['_plus_scalar', '_PlusScalar']],
  ['Sub', false, ['_minus_scalar', '_MinusScalar']],
  ['Sub', true, ['_rminus_scalar', '_RMinusScalar']],
  ['Mul', false, ['_mul_scalar', '_MulScalar']],
  ['Div', false, ['_div_scalar', '_DivScalar']],
  ['Div', true, ['_rdiv_scalar', '_RDivScalar']],
  ['Pow', false, ['_power_scalar', '_PowerScalar']],
  ['Pow', true, ['_rpower_scalar', '_RPowerScalar']],
  ['Max', false, ['_maximum_scalar', '_MaximumScalar']],
  ['Min', false, ['_minimum_scalar', '_MinimumScalar']],
];
for (const [op, reversed, names] of SCALAR) {
  registerMxConverter(names, (ctx) => {
    const x = ctx.input(0, 'data');
    const c = scalarLike(ctx, `${ctx.node.name}_scalar`, ctx.attrs.float('scalar'), x);
    ctx.emit(op, reversed ? [c, x] : [x, c], {}, [ctx.output()]);
  });
}

const UNARY: [string, string[]][] = [
  ['Sqrt', ['sqrt']],
  ['Exp', ['exp']],
  ['Log', ['log']],
  ['Abs', ['abs']],
  ['Neg', ['negative']],
  ['Reciprocal', ['reciprocal']],
  ['Relu', ['relu']],
  ['Sigmoid', ['sigmoid']],
  ['Tanh', ['tanh']],
  // the identity at inference: copies and gradient stops
  ['Identity', ['_copy', 'identity', 'BlockGrad', 'stop_gradient']],
];
for (const [op, names] of UNARY) {
  registerMxConverter(names, (ctx) => {
    ctx.emit(op, [ctx.input(0, 'data')], {}, [ctx.output()]);
  });
}

registerMxConverter(['Dropout'], (ctx) => {
  // MXNet drops (and rescales) during training only, unless mode='always'
  if (ctx.attrs.str('mode', 'training') === 'always') unsupported(ctx, "Dropout with mode='always' is random at inference; nnrt does not support it");
  ctx.emit('Identity', [ctx.input(0, 'data')], {}, [ctx.output()]);
});

registerMxConverter(['rsqrt'], (ctx: ConvertContext) => {
  const [root] = ctx.emit('Sqrt', [ctx.input(0, 'data')]);
  ctx.emit('Reciprocal', [root!], {}, [ctx.output()]);
});

registerMxConverter(['clip'], (ctx) => {
  const x = ctx.input(0, 'data');
  const lo = scalarLike(ctx, `${ctx.node.name}_min`, ctx.attrs.float('a_min'), x);
  const hi = scalarLike(ctx, `${ctx.node.name}_max`, ctx.attrs.float('a_max'), x);
  ctx.emit('Clip', [x, lo, hi], {}, [ctx.output()]);
});
