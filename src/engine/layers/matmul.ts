// Products of two computed tensors (attention's Q·Kᵀ, P·V) with numpy batch broadcasting:
// y = act(alpha · A'·B' + bias + residual), where A' and B' are the inputs with optional axis
// permutations (a Transpose feeding the product is absorbed into the operand's strides by
// passes/absorb-transpose.ts). ONNX MatMul by a constant matrix goes to the gemm kind instead.
import { chain, check, constantOf, formatShape } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileMatmul } from '../kernels/matmul.js';
import type { Activation, LayerBase } from '../network.js';
import type { Emitter } from './emitter.js';
import { ints } from './emitter.js';
import { translateGemm } from './gemm.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, type NodeView } from './node-view.js';
import { floatOnly } from './rules.js';

export interface MatmulLayer extends LayerBase {
  kind: 'matmul';
  /** A source; the operand [..., M, K] is `a` with its axes permuted by `aPerm` (undefined: as is). */
  a: string;
  aPerm?: number[];
  /** B source; the operand [..., K, N] is `b` permuted by `bPerm`. */
  b: string;
  bPerm?: number[];
  output: string;
  alpha: number;
  /** [N], added after the scale. */
  bias?: Float32Array;
  residual?: string;
  act: Activation;
}

function translate(n: NodeView): MatmulLayer | ReturnType<typeof translateGemm> {
  const [a, b] = n.node.inputs as [string, string];
  const bc = n.constant(b);
  if (bc && bc.shape.length === 2) return translateGemm(n);
  if (bc) n.fail(`a constant B of rank ${bc.shape.length} is not supported`);
  if (n.constant(a)) n.fail('a constant A with a computed B is not supported');
  if (n.shape(a).length < 2 || n.shape(b).length < 2) n.fail('1-D operands are not supported');
  return { kind: 'matmul', ...base(n), a, b, output: n.node.outputs[0]!, alpha: 1, act: { kind: 'none' } };
}

/** Either B is a constant matrix (gemm over rows) or both operands are computed tensors of rank ≥ 2. */
const operands = check((node, ctx) => {
  const [a, b] = node.inputs as [string, string];
  const ra = ctx.types.get(a)!.shape.length;
  const bt = ctx.types.get(b)!.shape;
  const bConst = constantOf(b, ctx);
  if (bConst) return bt.length === 2 && ra >= 2 ? undefined : `MatMul: constant B ${formatShape(bt)} with A of rank ${ra}; only a constant matrix B and A of rank ≥ 2 are supported`;
  if (constantOf(a, ctx)) return 'MatMul: a constant A with a computed B is not supported';
  return ra >= 2 && bt.length >= 2 ? undefined : 'MatMul: 1-D operands are not supported';
});

export const matmulImporters: Record<string, OpImporter> = {
  MatMul: { support: chain(floatOnly, operands), translate },
};

/** The operand as ONNX values: a Transpose node when it is permuted. */
function operand(e: Emitter, src: string, perm: number[] | undefined): string {
  return perm ? e.node('Transpose', [src], { perm: ints(perm) }, e.value(false)) : src;
}

function lower(e: Emitter, l: MatmulLayer): void {
  const plain = !l.residual && l.act.kind === 'none';
  let y = e.node('MatMul', [operand(e, l.a, l.aPerm), operand(e, l.b, l.bPerm)], {}, e.value(plain && l.alpha === 1 && !l.bias));
  if (l.alpha !== 1) y = e.node('Mul', [y, e.initializer('alpha', Tensor.fromArray([], [l.alpha]))], {}, e.value(plain && !l.bias));
  if (l.bias) y = e.node('Add', [y, e.initializer('bias', new Tensor('float32', [l.bias.length], l.bias))], {}, e.value(plain));
  e.epilogue(l, y);
}

export const matmulKind: LayerKindDef<MatmulLayer> = {
  inputs: (l) => [l.a, l.b, ...(l.residual ? [l.residual] : [])],
  renameInputs(l, swap) {
    l.a = swap(l.a);
    l.b = swap(l.b);
    if (l.residual) l.residual = swap(l.residual);
  },
  clone: (l) => ({
    ...l, from: [...l.from], act: { ...l.act },
    ...(l.aPerm ? { aPerm: [...l.aPerm] } : {}), ...(l.bPerm ? { bPerm: [...l.bPerm] } : {}),
  }),
  lower,
  compile: compileMatmul,
  rowMajor: true,
};
