// Export converters for elementwise ops, activations, Cast and Dropout.
import type { Node } from '../../../ir/graph.js';
import {
  av, constInput, dropNewAttrs, dtypeOf, notExportable, NodeBuilder, registerBase, registerExportConverter, type ExportContext,
} from '../converter.js';

registerBase(1, 'Identity', 'Not', 'Softplus', 'Softsign', 'Size');
registerBase(6, 'Relu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'HardSigmoid', 'LeakyRelu', 'Sqrt', 'Reciprocal', 'Exp', 'Log', 'Neg', 'Abs', 'Ceil', 'Floor');
registerBase(7, 'Add', 'Sub', 'Mul', 'Div', 'And', 'Or', 'Xor', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan');
registerBase(8, 'Min', 'Max', 'Sum', 'Mean');
registerBase(9, 'Erf', 'Sign', 'Where', 'Less', 'Greater', 'PRelu', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'IsNaN');
registerBase(10, 'IsInf', 'Mod', 'ThresholdedRelu');
registerBase(11, 'Clip', 'Round', 'Equal', 'BitShift');
registerBase(12, 'Pow', 'GreaterOrEqual', 'LessOrEqual', 'Celu', 'Dropout');
registerBase(14, 'HardSwish');
registerBase(18, 'Mish', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'BitwiseNot');
registerBase(19, 'Cast', 'CastLike');
registerBase(20, 'Gelu');

// Cast-19 / CastLike-19 added `saturate` (it only affects float8 targets).
registerExportConverter({ opType: 'Cast', sinceVersion: 6, convert: (n, ctx) => [dropNewAttrs(n, ctx, 19, { saturate: 1 })] });
registerExportConverter({ opType: 'CastLike', sinceVersion: 15, convert: (n, ctx) => [dropNewAttrs(n, ctx, 19, { saturate: 1 })] });

// Pow-7 takes one float type for base and exponent; mixed and integer types came with Pow-12.
registerExportConverter({
  opType: 'Pow',
  sinceVersion: 7,
  convert(n, ctx) {
    const [base, exp] = [ctx.typeOf(n.inputs[0]!)?.dtype, ctx.typeOf(n.inputs[1]!)?.dtype];
    if (base !== exp || (base !== 'float32' && base !== 'float16')) {
      throw notExportable(n, ctx, `of ${base ?? 'unknown'} by ${exp ?? 'unknown'} (opset 11 takes one float type)`, 'export with opset ≥ 12');
    }
    return [n];
  },
});

// Dropout-10: `ratio` is an attribute and there is no training_mode (inference only).
registerExportConverter({
  opType: 'Dropout',
  sinceVersion: 10,
  convert(n, ctx) {
    const ratio = constInput(n, ctx, 1, 'ratio');
    const training = constInput(n, ctx, 2, 'training_mode');
    if (training?.toNumbers()[0]) throw notExportable(n, ctx, 'in training mode', 'Dropout-10 is inference only');
    const { seed: _seed, ...attrs } = n.attrs; // seed only matters in training mode
    if (ratio) attrs.ratio = av.float(ratio.toNumbers()[0]!);
    return [{ ...n, inputs: [n.inputs[0]!], attrs }];
  },
});

// Gelu before opset 20, as its ONNX function body: 0.5·x·(1 + erf(x/√2)), or the tanh approximation
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.05·x³))).
registerExportConverter({ opType: 'Gelu', sinceVersion: 1, convert: geluDecomposed });

function geluDecomposed(n: Node, ctx: ExportContext): Node[] {
  const x = n.inputs[0]!;
  const dtype = dtypeOf(ctx, x);
  const b = new NodeBuilder(n, ctx);
  const approximate = n.attrs.approximate?.value ?? 'none';
  let inner: string;
  if (approximate === 'tanh') {
    const cube = b.op('Mul', [b.op('Mul', [x, x]), x]);
    const poly = b.op('Add', [x, b.op('Mul', [cube, b.constant(dtype, 0.044715)])]);
    inner = b.op('Tanh', [b.op('Mul', [poly, b.constant(dtype, Math.sqrt(2 / Math.PI))])]);
  } else if (approximate === 'none') {
    inner = b.op('Erf', [b.op('Mul', [x, b.constant(dtype, Math.SQRT1_2)])]);
  } else {
    throw notExportable(n, ctx, `with approximate='${String(approximate)}'`);
  }
  const half = b.op('Mul', [x, b.constant(dtype, 0.5)]);
  b.op('Mul', [half, b.op('Add', [inner, b.constant(dtype, 1)])], {}, [n.outputs[0]!]);
  return b.nodes;
}
