// MatMulInteger and ConvInteger as int8 layers (layers/qlinear.ts): y = Σ (x − zx)·(w − zw) in
// int32, written as an i32 engine tensor (exact; the onnxruntime quantize_dynamic pattern Casts it
// to float and scales it next). The weights are
// constants; their zero point (per tensor, or per column / output channel) is subtracted at import,
// so they must stay within int8 after it. The input's zero point is a constant or a one-element
// tensor computed in the engine (DynamicQuantizeLinear's), read at run time by the kernel.
import { check, constantOf } from '../../partition/predicate.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import { centeredWeights, quantizedConvGeometry, type QLinearLayer } from './qlinear.js';
import { spatial1or2 } from './rules.js';
import { chain } from '../../partition/predicate.js';

const INT8 = new Set(['int8', 'uint8']);
const sizeOf = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

/**
 * Quantized data in, int32 out, static shapes; constant weights of `weightRank` (or rank 3..4 for
 * conv) that stay in int8 after their zero point; the input zero point one element.
 */
function integerRule(kind: 'matmul' | 'conv') {
  return check((node, ctx) => {
    const [x, w, xz, wz] = node.inputs;
    const op = node.opType;
    const xt = ctx.types.get(x ?? '');
    const yt = ctx.types.get(node.outputs[0] ?? '');
    if (!xt || !yt) return `${op}: shapes are not known`;
    if (!INT8.has(xt.dtype)) return `${op}: ${xt.dtype} input (int8/uint8 only)`;
    for (const t of [xt, yt]) if (t.shape.some((d) => !Number.isInteger(d) || d <= 0)) return `${op}: shapes are not static and non-empty`;
    const wt = constantOf(w ?? '', ctx);
    if (!wt) return `${op}: ${kind === 'matmul' ? 'B' : 'the weights'} ${kind === 'matmul' ? 'is' : 'are'} not a constant (the engine's int8 layers take constant weights)`;
    if (kind === 'matmul' && (wt.shape.length !== 2 || xt.shape.length < 2)) return `${op}: A of rank ${xt.shape.length} and B of rank ${wt.shape.length} (A rank ≥ 2 and a constant matrix B only)`;
    if (xz) {
      const zt = ctx.types.get(xz);
      if (!zt || sizeOf(zt.shape) !== 1) return `${op}: a per-row input zero point (per tensor only)`;
    }
    const wzt = wz ? constantOf(wz, ctx) : undefined;
    if (wz && !wzt) return `${op}: the weight zero point is not a constant`;
    const channels = kind === 'matmul' ? wt.shape[1]! : wt.shape[0]!;
    const bad = centered(wt, wzt, kind, channels);
    return typeof bad === 'string' ? `${op}: ${bad}` : undefined;
  });
}

/** The weights minus their zero point (per tensor, or per channel) as int8, or why not. */
function centered(wt: Tensor, wz: Tensor | undefined, kind: 'matmul' | 'conv', channels: number): Int8Array | string {
  if (wz && wz.size !== 1 && wz.size !== channels) return `${wz.size} weight zero points for ${channels} ${kind === 'matmul' ? 'columns' : 'output channels'}`;
  const per = wt.size / channels;
  return centeredWeights(wt, wz, kind === 'matmul' ? (i) => i % channels : (i) => Math.floor(i / per));
}

/** The input's quantization: scale 1 (the output is the integer sum), a constant or runtime zero point. */
function inputQuant(n: NodeView): Pick<QLinearLayer, 'x' | 'xZeroPoint'> {
  const [x, , xz] = n.node.inputs;
  const signed = n.dtype(x!) === 'int8';
  const zc = xz ? n.constant(xz) : undefined;
  if (xz && !zc) return { x: { scale: 1, zeroPoint: 0, signed }, xZeroPoint: xz };
  return { x: { scale: 1, zeroPoint: zc ? zc.numeric()[0]! : 0, signed } };
}

function weightsOf(n: NodeView, kind: 'matmul' | 'conv'): { weights: Int8Array; wt: Tensor } {
  const [, w, , wz] = n.node.inputs;
  const wt = n.constant(w!) ?? n.fail('the weights are not a constant');
  const weights = centered(wt, wz ? n.constant(wz) : undefined, kind, kind === 'matmul' ? wt.shape[1]! : wt.shape[0]!);
  if (typeof weights === 'string') n.fail(weights);
  return { weights, wt };
}

function matMulInteger(n: NodeView): QLinearLayer {
  const { weights, wt } = weightsOf(n, 'matmul');
  return {
    kind: 'qlinear', op: 'gemm', ...base(n), precision: 'fp32', input: n.node.inputs[0]!, output: n.node.outputs[0]!, ...inputQuant(n),
    weights, weightShape: [wt.shape[0]!, wt.shape[1]!], weightScales: Float32Array.of(1), relu: false,
  };
}

function convInteger(n: NodeView): QLinearLayer {
  const { weights, wt } = weightsOf(n, 'conv');
  const { geometry, weightShape } = quantizedConvGeometry(n, wt.shape);
  return {
    kind: 'qlinear', op: 'conv', ...base(n), precision: 'fp32', input: n.node.inputs[0]!, output: n.node.outputs[0]!, ...inputQuant(n),
    weights, weightShape, weightScales: Float32Array.of(1), relu: false, conv: geometry,
  };
}

export const integerImporters: Record<string, OpImporter> = {
  MatMulInteger: { support: integerRule('matmul'), translate: matMulInteger },
  ConvInteger: { support: chain(integerRule('conv'), spatial1or2('convolution')), translate: convInteger },
};

/** The ops whose int8/uint8 outputs live in the engine as floats holding the integers. */
const QUANTIZED_MAKERS = new Set(['DynamicQuantizeLinear', 'QuantizeLinear', 'QLinearConv', 'QLinearMatMul']);

/**
 * Cast to float32 of int8/uint8 values a quantizing layer computed: the engine already holds them as
 * floats, so the Cast is a view. (int32 sums of MatMulInteger/ConvInteger are i32 engine tensors:
 * their Cast is the typed layer's.)
 */
export const castOfEngineIntegers = check((node, ctx) => {
  const it = ctx.types.get(node.inputs[0] ?? '');
  const ot = ctx.types.get(node.outputs[0] ?? '');
  if (!it || !ot) return 'Cast: shapes are not known';
  // to = 1 (FLOAT): bfloat16/float8 targets are held as float32 in the IR but round
  if (!INT8.has(it.dtype) || ot.dtype !== 'float32' || node.attrs.to?.value !== 1) return `Cast: ${it.dtype} to ${ot.dtype}`;
  if (it.shape.some((d) => !Number.isInteger(d) || d <= 0)) return 'Cast: the shape is not static and non-empty';
  const maker = ctx.graph.nodes.find((p) => p.outputs.includes(node.inputs[0]!));
  return maker && maker.domain === '' && QUANTIZED_MAKERS.has(maker.opType) ? undefined : `Cast: ${it.dtype} from ${maker ? maker.opType : 'an input'} (int8/uint8 only from a quantizing layer)`;
});

/** Cast as `cast` imports it, plus int8/uint8 → float32 of quantized values (a reshape view); declines keep `cast`'s reason. */
export function withQuantizedCast(cast: OpImporter): OpImporter {
  return {
    support: (node, ctx) => {
      const v = cast.support(node, ctx);
      return v === true || castOfEngineIntegers(node, ctx) === true ? true : v;
    },
    translate: (n) => (INT8.has(n.dtype(n.node.inputs[0]!)) ? { kind: 'reshape', ...base(n), input: n.node.inputs[0]!, output: n.node.outputs[0]! } : cast.translate(n)),
  };
}
