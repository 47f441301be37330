// What the webgpu engine can compile, node by node: the predicate the partitioner uses to cut the
// graph and the importer uses to refuse nodes, so both give the same reasons. float32 only, every
// shape static. Rules are built from src/partition/predicate.ts; one table entry per op.
import type { Graph, Node } from '../ir/graph.js';
import type { KnownValue } from '../ir/infer.js';
import {
  attrEquals, attrNumber, byTable, chain, check, constantInput, constantOf, declineIf, dtypesAndShapes, formatShape,
  inputRank, outputUnused, type SupportContext, type SupportPredicate,
} from '../partition/predicate.js';
import { elementCount } from '../tensor/shape.js';

export const ENGINE_BACKEND = 'webgpu';
const F32 = ['float32'] as const;

const floatOnly = dtypesAndShapes(F32);
/** Ops whose extra inputs are shapes/axes/flags: only input 0 and the output are data. */
const floatData0 = dtypesAndShapes(F32, [0]);
const spatial1or2 = (what: string) => inputRank(0, [3, 4], (r) => (r === 5 ? `3-D ${what} is not supported` : `${what} needs a rank-3 or rank-4 input, got rank ${r}`));

/**
 * Operand shape S broadcasts to the output shape O as the engine's pointwise kernels allow:
 * S = O, a single element, or per channel (C = O[1]): [C,1,1] / [1,C,1,1] at rank 4, [C,1] / [1,C,1] at rank 3,
 * [C] / [1,C] at rank 2.
 */
export function pointwiseBroadcastOk(s: readonly number[], o: readonly number[]): boolean {
  if (s.length === o.length && s.every((d, i) => d === o[i])) return true;
  if (elementCount(s) === 1) return true;
  const c = o[1];
  const perChannel = (pattern: number[]) => s.length === pattern.length && s.every((d, i) => d === pattern[i]);
  if (o.length === 4 && c !== undefined) return perChannel([c, 1, 1]) || perChannel([1, c, 1, 1]);
  if (o.length === 3 && c !== undefined) return perChannel([c, 1]) || perChannel([1, c, 1]);
  // rank 2 [M, N]: a bias along the last axis (MatMul + Add)
  if (o.length === 2 && c !== undefined) return perChannel([c]) || perChannel([1, c]);
  return false;
}

const broadcastRule = check((node, ctx) => {
  const out = ctx.types.get(node.outputs[0] ?? '')!;
  for (const name of node.inputs) {
    const s = ctx.types.get(name)!.shape;
    if (!pointwiseBroadcastOk(s, out.shape)) return `${node.opType}: broadcast ${formatShape(s)} against ${formatShape(out.shape)} is not per-channel`;
  }
  return undefined;
});

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

const softmaxLastAxis = check((node, ctx) => {
  const rank = ctx.types.get(node.inputs[0]!)!.shape.length;
  const axis = attrNumber(node, 'axis', -1);
  return (axis < 0 ? axis + rank : axis) === rank - 1 ? undefined : `${node.opType}: axis ${axis} is not the last axis`;
});

const concatChannels = chain(
  inputRank(0, [2, 3, 4], (r) => `rank-${r} inputs are not supported (ranks 2, 3, 4 only)`),
  check((node, ctx) => {
    const rank = ctx.types.get(node.inputs[0]!)!.shape.length;
    const axis = attrNumber(node, 'axis', 1);
    return (axis < 0 ? axis + rank : axis) === 1 ? undefined : `Concat: axis ${axis} is not the channel axis (1)`;
  }),
);

const batchNormInference = chain(
  floatData0,
  attrEquals('training_mode', 0, 0),
  declineIf((n) => n.outputs.slice(1).some((o) => o), 'BatchNormalization: running mean/var outputs are not supported'),
  constantInput(1, 'scale'), constantInput(2, 'B'), constantInput(3, 'mean'), constantInput(4, 'var'),
);

const dropoutInference = chain(
  floatData0,
  outputUnused(1, 'mask'),
  check((node, ctx) => {
    const t = node.inputs[2] ? constantOf(node.inputs[2], ctx) : undefined;
    if (!node.inputs[2]) return undefined;
    if (!t) return 'Dropout: training_mode is not a constant';
    return Number(t.data[0]) === 0 ? undefined : 'Dropout: training_mode is on';
  }),
);

const activation = floatOnly;
const pointwiseBinary = chain(floatOnly, broadcastRule);
const unaryMath = floatOnly;

const TABLE: Record<string, SupportPredicate> = {
  Conv: chain(floatOnly, spatial1or2('convolution'), constantInput(1, 'weights'), constantInput(2, 'bias', true)),
  Gemm: chain(floatOnly, inputRank(0, [2]), attrEquals('transA', 0, 0), constantInput(1, 'B'), gemmBias),
  MatMul: chain(floatOnly, inputRank(0, [2], (r) => `A has rank ${r}; only rank 2 is supported`), constantInput(1, 'B'),
    inputRank(1, [2], (r) => `B has rank ${r}; only rank 2 is supported`)),
  BatchNormalization: batchNormInference,
  Relu: activation, LeakyRelu: activation, Sigmoid: activation, Tanh: activation, HardSigmoid: activation, HardSwish: activation,
  Clip: chain(floatOnly, constantInput(1, 'min', true), constantInput(2, 'max', true)),
  Add: pointwiseBinary, Sub: pointwiseBinary, Mul: pointwiseBinary, Div: pointwiseBinary,
  Max: chain(declineIf((n) => n.inputs.length !== 2, (n) => `Max: ${n.inputs.length} operands (only 2 are supported)`), pointwiseBinary),
  Min: chain(declineIf((n) => n.inputs.length !== 2, (n) => `Min: ${n.inputs.length} operands (only 2 are supported)`), pointwiseBinary),
  Pow: pointwiseBinary,
  Neg: unaryMath, Abs: unaryMath, Exp: unaryMath, Log: unaryMath, Sqrt: unaryMath, Reciprocal: unaryMath,
  Floor: unaryMath, Ceil: unaryMath, Erf: unaryMath, Sin: unaryMath, Cos: unaryMath,
  MaxPool: chain(floatOnly, spatial1or2('pooling'), declineIf((n) => !!n.outputs[1], 'MaxPool: the Indices output is not supported'),
    attrEquals('storage_order', 0, 0)),
  AveragePool: chain(floatOnly, spatial1or2('pooling'),
    declineIf((n) => attrNumber(n, 'ceil_mode', 0) === 1 && attrNumber(n, 'count_include_pad', 0) === 1,
      'AveragePool: ceil_mode with count_include_pad (padding past the end counts differently) is not supported')),
  GlobalAveragePool: chain(floatOnly, spatial1or2('pooling')),
  GlobalMaxPool: chain(floatOnly, spatial1or2('pooling')),
  Concat: chain(floatOnly, concatChannels,
    declineIf((n, ctx) => n.inputs.some((i) => constantOf(i, ctx) !== undefined), 'Concat: a constant input is not supported')),
  Softmax: chain(floatOnly, softmaxLastAxis),
  LogSoftmax: chain(floatOnly, softmaxLastAxis),
  Flatten: floatOnly,
  Reshape: chain(floatData0, constantInput(1, 'shape')),
  Squeeze: chain(floatData0, constantInput(1, 'axes', true)),
  Unsqueeze: chain(floatData0, constantInput(1, 'axes')),
  Identity: floatOnly,
  Dropout: dropoutInference,
};

/** The webgpu engine's support predicate, for the partitioner. */
export const ENGINE_SUPPORT: SupportPredicate = byTable(ENGINE_BACKEND, TABLE);

/** The op types the engine's table lists (each still subject to its constraints). */
export const ENGINE_OPS: readonly string[] = Object.keys(TABLE).sort();

/** `true` when the webgpu engine can compile `node`, else the reason it cannot. */
export function engineSupports(node: Node, types: ReadonlyMap<string, KnownValue>, graph: Graph): true | string {
  const ctx: SupportContext = { graph, types };
  return ENGINE_SUPPORT(node, ctx);
}
