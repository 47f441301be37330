// Row normalization over the trailing axes [axis, rank): LayerNormalization (y = (x − mean) /
// √(var + ε) · scale + bias), RMSNormalization (ai.onnx 23) and SimplifiedLayerNormalization
// (y = x / √(mean(x²) + ε) · scale). An optional `skip` tensor is added to x first (the residual
// Add the fuse-norm-skip pass folds in, as onnxruntime's SkipLayerNormalization does); when the
// sum is read again later (pre-norm transformers: the residual stream) the layer also writes it
// to `sum`, its second output.
import { LayerNormalization } from '../../ops/layernormalization/layernormalization.op.js';
import { attrEquals, chain, check, constantInput, outputUnused, type SupportPredicate } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileNorm } from '../kernels/norm.js';
import type { LayerBase } from '../network.js';
import { float, int, type Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, floats, io, type NodeView } from './node-view.js';
import { quantizeNodes, type QuantInfo } from './quantize.js';
import { floatData0 } from './rules.js';

export interface NormLayer extends LayerBase {
  kind: 'norm';
  input: string;
  /** A tensor of the input's shape added to the input before normalizing (fused residual Add). */
  skip?: string;
  output: string;
  /** With `skip`: a tensor the layer also writes, input + skip (the residual sum others read). */
  sum?: string;
  /** RMS normalization: no mean subtraction, no bias. */
  rms: boolean;
  /** First normalized axis (non-negative); rows are the elements of axes [axis, rank). */
  axis: number;
  epsilon: number;
  /** One value per row element (broadcast scale expanded at import). */
  scale: Float32Array;
  bias?: Float32Array;
  /** The output holds y quantized to these integers (a QuantizeLinear folded in: fuse-norm-quantize). */
  quantize?: QuantInfo;
}

/** `t`'s values broadcast (numpy rules) to the normalized dims, row-major. */
function expandToRow(t: Tensor, dims: readonly number[]): Float32Array {
  const values = floats(t);
  const length = dims.reduce((a, b) => a * b, 1);
  if (values.length === length) return values;
  const shape = [...new Array<number>(dims.length - t.shape.length).fill(1), ...t.shape];
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    let rest = i;
    let at = 0;
    for (let k = dims.length - 1; k >= 0; k--) {
      const c = rest % dims[k]!;
      rest = Math.floor(rest / dims[k]!);
      if (shape[k] !== 1) at += c * strides[k]!;
    }
    out[i] = values[at]!;
  }
  return out;
}

const translate = (rms: boolean) => (n: NodeView): NormLayer => {
  const shape = n.shape(n.node.inputs[0]!);
  const a = n.attrs(LayerNormalization); // RMSNormalization and SimplifiedLayerNormalization share axis/epsilon
  const axis = a.axis < 0 ? a.axis + shape.length : a.axis;
  const dims = shape.slice(axis);
  const constant = (i: number) => {
    const v = n.node.inputs[i];
    return v ? n.constant(v) ?? n.fail(`input ${i} is not a constant`) : undefined;
  };
  const scale = expandToRow(constant(1)!, dims);
  const b = rms ? undefined : constant(2);
  return { kind: 'norm', ...base(n), ...io(n), rms, axis, epsilon: a.epsilon, scale, ...(b ? { bias: expandToRow(b, dims) } : {}) };
};

const stashFloat: SupportPredicate = attrEquals('stash_type', 1, 1);
const statsUnused = chain(outputUnused(1, 'Mean / InvStdDev'), outputUnused(2, 'InvStdDev'));
const rankAtLeast1 = check((node, ctx) => (ctx.types.get(node.inputs[0]!)!.shape.length === 0 ? `${node.opType}: a scalar input` : undefined));

export const normImporters: Record<string, OpImporter> = {
  LayerNormalization: { support: chain(floatData0, rankAtLeast1, stashFloat, constantInput(1, 'Scale'), constantInput(2, 'B', true), statsUnused), translate: translate(false) },
  RMSNormalization: { support: chain(floatData0, rankAtLeast1, stashFloat, constantInput(1, 'scale')), translate: translate(true) },
  SimplifiedLayerNormalization: { support: chain(floatData0, rankAtLeast1, stashFloat, constantInput(1, 'scale'), statsUnused), translate: translate(true) },
};

function lower(e: Emitter, l: NormLayer): void {
  const shape = e.shape(l.output);
  const dims = shape.slice(l.axis);
  const x = l.skip ? e.node('Add', [l.input, l.skip], {}, l.sum ?? e.value(false)) : l.input;
  const scale = e.initializer('scale', new Tensor('float32', [...dims], l.scale));
  if (!l.rms) {
    const inputs = [x, scale, ...(l.bias ? [e.initializer('bias', new Tensor('float32', [...dims], l.bias))] : [])];
    const y = e.node('LayerNormalization', inputs, { axis: int(l.axis), epsilon: float(l.epsilon) }, e.value(!l.quantize));
    if (l.quantize) quantizeNodes(e, y, l.quantize, 'y', true);
    return;
  }
  // y = x / √(mean(x²) + ε) · scale, in opset-18 primitives
  const axes = e.initializer('axes', Tensor.fromNumeric('int64', [dims.length], dims.map((_, k) => l.axis + k)));
  const squares = e.node('Mul', [x, x], {}, e.value(false));
  const mean = e.node('ReduceMean', [squares, axes], { keepdims: int(1) }, e.value(false));
  const eps = e.initializer('eps', Tensor.fromArray([], [l.epsilon]));
  const rms = e.node('Sqrt', [e.node('Add', [mean, eps], {}, e.value(false))], {}, e.value(false));
  const y = e.node('Mul', [e.node('Div', [x, rms], {}, e.value(false)), scale], {}, e.value(!l.quantize));
  if (l.quantize) quantizeNodes(e, y, l.quantize, 'y', true);
}

export const normKind: LayerKindDef<NormLayer> = {
  inputs: (l) => [l.input, ...(l.skip ? [l.skip] : [])],
  renameInputs(l, swap) {
    l.input = swap(l.input);
    if (l.skip) l.skip = swap(l.skip);
  },
  clone: (l) => ({ ...l, from: [...l.from], ...(l.quantize ? { quantize: { ...l.quantize } } : {}) }),
  lower,
  compile: compileNorm,
  extraOutputs: (l) => (l.sum ? [l.sum] : []),
  rowMajor: true,
};
