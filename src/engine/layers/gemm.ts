// Matrix products with a constant right operand (ONNX Gemm, MatMul by a weight matrix) and a
// fused epilogue: y = act(x · W + bias + residual).
import { Gemm } from '../../ops/gemm/gemm.op.js';
import { attrEquals, chain, check, constantInput, constantOf, formatShape, inputRank } from '../../partition/predicate.js';
import { Tensor } from '../../tensor/tensor.js';
import { compileGemm } from '../kernels/gemm.js';
import type { Activation, LayerBase } from '../network.js';
import type { Emitter } from './emitter.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { base, io, type NodeView } from './node-view.js';
import { floatOnly } from './rules.js';

/** x [M, K] (activation), W [K, N] constant. */
export interface GemmLayer extends LayerBase {
  kind: 'gemm';
  input: string;
  output: string;
  /** Row-major [K, N] (ONNX Gemm's transB and alpha already applied). */
  weights: Float32Array;
  k: number;
  n: number;
  /** [N] (beta already applied). */
  bias?: Float32Array;
  residual?: string;
  act: Activation;
  /**
   * Sibling products of one input merged into this one (passes/merge-gemms.ts): the N columns go
   * to these tensors in order, `n` each (even widths); the first is `output`. No residual then.
   */
  parts?: { output: string; n: number }[];
}

/** Gemm/MatMul with a constant B: W = alpha·B' as [K, N], bias = beta·C as [N]. MatMul's A may
 * have any rank ≥ 2: its rows are the product of the leading axes (row-major, see gemmKind.rowMajor). */
export function translateGemm(n: NodeView): GemmLayer {
  const [a, bName, cName] = n.node.inputs;
  const at = n.node.opType === 'Gemm' ? n.attrs(Gemm) : { alpha: 1, beta: 1, transA: 0, transB: 0 };
  if (at.transA) n.fail('transA = 1 is not supported');
  const rank = n.shape(a!).length;
  if (n.node.opType === 'Gemm' ? rank !== 2 : rank < 2) n.fail(`A must be a matrix, got rank ${rank}`);
  const b = n.constant(bName!) ?? n.fail('B is not a constant');
  if (b.shape.length !== 2) n.fail(`B must be a matrix, got rank ${b.shape.length}`);
  const [k, nOut] = at.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  const bv = b.numeric();
  const weights = new Float32Array(k * nOut);
  for (let i = 0; i < k; i++) for (let j = 0; j < nOut; j++) weights[i * nOut + j] = at.alpha * bv[at.transB ? j * k + i : i * nOut + j]!;
  let bias: Float32Array | undefined;
  if (cName) {
    const c = n.constant(cName) ?? n.fail('C is not a constant');
    const cs = c.shape;
    const perColumn = cs.length <= 2 && cs.every((d, i) => (i === cs.length - 1 ? d === 1 || d === nOut : d === 1));
    if (!perColumn) n.fail(`C of shape [${cs.join(',')}] does not broadcast to [${nOut}]`);
    const cv = c.numeric();
    bias = Float32Array.from({ length: nOut }, (_, j) => at.beta * cv[cv.length === 1 ? 0 : j]!);
  }
  return { kind: 'gemm', ...base(n), ...io(n), weights, k, n: nOut, ...(bias ? { bias } : {}), act: { kind: 'none' } };
}

/** Gemm's C must be absent or a constant that broadcasts to [N]: [], [1], [N] or [1,N] (or [1,1]). */
const gemmBias = check((node, ctx) => {
  const cName = node.inputs[2];
  if (!cName) return undefined;
  if (!constantOf(cName, ctx)) return 'Gemm: C is not a constant';
  const c = ctx.types.get(cName)!.shape;
  const n = ctx.types.get(node.outputs[0]!)!.shape[1]!;
  const ok = c.length <= 2 && c.every((d, i) => (i === c.length - 1 ? d === 1 || d === n : d === 1));
  return ok ? undefined : `Gemm: C of shape ${formatShape(c)} does not broadcast to [${n}]`;
});

export const gemmImporters: Record<string, OpImporter> = {
  Gemm: { support: chain(floatOnly, inputRank(0, [2]), attrEquals('transA', 0, 0), constantInput(1, 'B'), gemmBias), translate: translateGemm },
  // MatMul (constant B → gemm, else the matmul kind) is imported by layers/matmul.ts
};

function lower(e: Emitter, l: GemmLayer): void {
  const w = e.initializer('W', new Tensor('float32', [l.k, l.n], l.weights));
  const inputs = [l.input, w, ...(l.bias ? [e.initializer('B', new Tensor('float32', [l.n], l.bias))] : [])];
  if (!l.parts) {
    e.epilogue(l, e.node('Gemm', inputs, {}, e.value(!l.residual && l.act.kind === 'none')));
    return;
  }
  // merged siblings: the product, its activation, then each part's columns
  lowerParts(e, e.activation(l.act, e.node('Gemm', inputs, {}, e.value(false)), false), l.input, l.parts);
}

/** The columns of product `y` (of `input`'s rows) as the merged siblings' tensors: a Slice each (and a Reshape where a part regroups the rows). */
export function lowerParts(e: Emitter, y: string, input: string, parts: readonly { output: string; n: number }[]): void {
  const axes = e.initializer('axes', Tensor.fromNumeric('int64', [1], [-1]));
  let start = 0;
  const rows = e.shape(input).length > 2 ? e.shape(input).slice(0, -1) : [e.shape(input)[0]!];
  for (const p of parts) {
    const starts = e.initializer('starts', Tensor.fromNumeric('int64', [1], [start]));
    const ends = e.initializer('ends', Tensor.fromNumeric('int64', [1], [start + p.n]));
    const shape = e.shape(p.output);
    const same = shape.length === rows.length + 1 && rows.every((d, i) => d === shape[i]);
    const cut = e.node('Slice', [y, starts, ends, axes], {}, same ? p.output : e.value(false));
    // a part that regroups the rows (a Split read through a reshape) gets its own shape back
    if (!same) e.node('Reshape', [cut, e.initializer('shape', Tensor.fromNumeric('int64', [shape.length], [...shape]))], {}, p.output);
    start += p.n;
  }
}

export const gemmKind: LayerKindDef<GemmLayer> = {
  inputs: (l) => (l.residual ? [l.input, l.residual] : [l.input]),
  renameInputs(l, swap) {
    l.input = swap(l.input);
    if (l.residual) l.residual = swap(l.residual);
  },
  clone: (l) => ({ ...l, from: [...l.from], act: { ...l.act }, ...(l.parts ? { parts: l.parts.map((p) => ({ ...p })) } : {}) }),
  lower,
  extraOutputs: (l) => (l.parts ? l.parts.slice(1).map((p) => p.output) : []),
  compile: compileGemm,
  // rows of a rank-3/4 A are its leading axes in row-major order (a rank-2 A reads any layout)
  // (and parts: rows of whatever leading axes each part has)
  rowMajor: (l, net) => !!l.parts || net.tensors.get(l.input)!.shape.length > 2,
};
