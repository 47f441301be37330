// Every engine layer kind and every ONNX op the engine imports, in one table each. A new kind is
// one file in this folder plus one line in each table below: `LAYER_KINDS` is a mapped type over
// the Layer union, so the compiler says which kind lacks a definition.
import type { Layer, LayerKind } from '../network.js';
import { attentionImporters, attentionKind } from './attention.js';
import { concatImporters, concatKind } from './concat.js';
import { convImporters, convKind } from './conv.js';
import { convertKind } from './convert.js';
import { gemmImporters, gemmKind } from './gemm.js';
import type { LayerKindDef, OpImporter } from './kind.js';
import { matmulImporters, matmulKind } from './matmul.js';
import { transposeImporters, transposeKind } from './transpose.js';
import { sliceImporters, sliceKind } from './slice.js';
import { pointwiseImporters, pointwiseKind } from './pointwise.js';
import { poolImporters, poolKind } from './pool.js';
import { reshapeImporters, reshapeKind } from './reshape.js';
import { softmaxImporters, softmaxKind } from './softmax.js';
import { normImporters, normKind } from './norm.js';
import { reduceImporters, reduceKind } from './reduce.js';
import { qlinearImporters, qlinearKind } from './qlinear.js';
import { quantizeImporters } from './quantize.js';
import { integerImporters, withQuantizedCast } from './integer.js';
import { convTransposeImporters, convTransposeKind } from './conv-transpose.js';
import { dynamicQuantizeImporters } from './dynamic-quantize.js';
import { gatherKind } from './gather.js';
import { typedImporters, typedKind, withIntegerForm } from './typed.js';
import { spaceToDepthKind } from './space-to-depth.js';

type KindTable = { [K in LayerKind]: LayerKindDef<Extract<Layer, { kind: K }>> };

const LAYER_KINDS: KindTable = {
  conv: convKind,
  gemm: gemmKind,
  pool: poolKind,
  pointwise: pointwiseKind,
  concat: concatKind,
  softmax: softmaxKind,
  reshape: reshapeKind,
  convert: convertKind,
  norm: normKind,
  reduce: reduceKind,
  matmul: matmulKind,
  transpose: transposeKind,
  slice: sliceKind,
  attention: attentionKind,
  qlinear: qlinearKind,
  convtranspose: convTransposeKind,
  gather: gatherKind,
  typed: typedKind,
  spacetodepth: spaceToDepthKind,
};

/** The definition of `l`'s kind. */
export function kindOf<L extends Layer>(l: L): LayerKindDef<L> {
  // The table is indexed by l.kind, so the entry's layer type is L's (TypeScript cannot correlate them).
  return LAYER_KINDS[l.kind] as unknown as LayerKindDef<L>;
}

/** ONNX op type → how the engine imports it. */
export const OP_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  ...convImporters,
  ...gemmImporters,
  ...poolImporters,
  ...pointwiseImporters,
  ...concatImporters,
  ...softmaxImporters,
  ...reshapeImporters,
  ...normImporters,
  ...reduceImporters,
  ...matmulImporters,
  ...transposeImporters,
  ...sliceImporters,
  ...attentionImporters,
  ...quantizeImporters,
  ...qlinearImporters,
  ...integerImporters,
  ...dynamicQuantizeImporters,
  ...convTransposeImporters,
  ...typedImporters,
  // integer Add/Sub/Mul (position ids) are typed layers; float ones stay pointwise
  Add: withIntegerForm(pointwiseImporters.Add!), Sub: withIntegerForm(pointwiseImporters.Sub!), Mul: withIntegerForm(pointwiseImporters.Mul!),
  Cast: withQuantizedCast(typedImporters.Cast!),
};
