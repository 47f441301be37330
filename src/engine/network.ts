// The engine's network definition (TensorRT's INetworkDefinition): layers over named float
// tensors, with constant weights held by the layers. The importer makes one from an IR graph,
// the passes rewrite it (fold, fuse, choose layouts and precisions), the kernels compile it.
// Logical shapes are always the ONNX ones (NCHW for images); the physical layout and storage of
// each tensor are a separate decision (`TensorFormat`), made by the layout and precision passes.

/** A fused activation, applied last in an epilogue or as a pointwise step. */
export type Activation =
  | { kind: 'none' }
  | { kind: 'relu' }
  | { kind: 'leakyrelu'; alpha: number }
  | { kind: 'clip'; min: number; max: number }
  | { kind: 'sigmoid' }
  | { kind: 'tanh' }
  | { kind: 'hardsigmoid'; alpha: number; beta: number }
  | { kind: 'hardswish' }
  /** x · sigmoid(x) (SiLU / Swish). */
  | { kind: 'silu' }
  /** x · Φ(x) = x/2 · (1 + erf(x/√2)), or its tanh approximation. */
  | { kind: 'gelu'; approximate: 'none' | 'tanh' };

export const NO_ACTIVATION: Activation = { kind: 'none' };

/**
 * How a tensor is laid out in device memory. `nchw`/`nhwc` apply to rank-4 tensors (rank-3
 * [N, C, W] 1-D images are treated as [N, C, 1, W]); `plain` is row-major in the logical shape.
 * `f16x2` stores IEEE halves two to a u32 (pack2x16float) along the innermost physical axis,
 * which must then have an even length; `f16` is native array<f16> (devices with shader-f16).
 */
export type Layout = 'plain' | 'nchw' | 'nhwc';
export type { Storage } from '../devices/webgpu/storage.js';
import type { Storage } from '../devices/webgpu/storage.js';
export interface TensorFormat {
  layout: Layout;
  storage: Storage;
}

export const PLAIN_F32: TensorFormat = { layout: 'plain', storage: 'f32' };

/**
 * What a tensor's elements are. 'float32' (float32 in ONNX; stored f32 or as halves), 'int32'
 * (int64 and int32 in ONNX, stored as i32 like the framework's device tensors: int64 values must
 * fit 32 bits) and 'bool' (stored as i32 0/1). Integer and bool tensors are always plain/NCHW
 * row-major in 'i32' storage: the layout and precision passes never give them NHWC or halves.
 */
export type NetDType = 'float32' | 'int32' | 'bool';

export interface NetTensor {
  name: string;
  /** Logical (ONNX) shape. */
  shape: number[];
  /** Physical format; PLAIN_F32 until the layout and precision passes decide. */
  format: TensorFormat;
  /** Element type; absent means 'float32' (every tensor the float-only layers make). */
  dtype?: NetDType;
}

/** True for float tensors (the ones float kernels, fusions, layouts and half storage apply to). */
export const isFloatTensor = (t: Pick<NetTensor, 'dtype'>): boolean => (t.dtype ?? 'float32') === 'float32';

/** The engine element type of an IR dtype, or undefined when the engine has none for it. */
export function netDTypeOf(dtype: string): NetDType | undefined {
  if (dtype === 'float32') return 'float32';
  if (dtype === 'int64' || dtype === 'int32') return 'int32';
  if (dtype === 'bool') return 'bool';
  return undefined;
}

/** The format an integer or bool tensor always has. */
export const PLAIN_I32: TensorFormat = { layout: 'plain', storage: 'i32' };

/** Pointwise expression trees: leaves are layer inputs (broadcast to the output) or constants. */
export type PwExpr =
  | { op: 'input'; index: number }
  | { op: 'const'; value: number }
  | { op: 'unary'; fn: PwUnary; arg: PwExpr; attrs?: Readonly<Record<string, number | string>> }
  | { op: 'binary'; fn: PwBinary; a: PwExpr; b: PwExpr }
  | { op: 'act'; act: Activation; arg: PwExpr };
/**
 * A one-input elementwise ONNX op ('Neg', 'Erf', 'Gelu', ...) with an f32 WGSL form: its one definition is
 * in src/ops/unary/ (unary.op.ts, unary.cpu.ts, unary.wgsl.ts); `attrs` holds its attribute values.
 */
export type PwUnary = string;
export type PwBinary = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';

export interface LayerBase {
  /** Unique; the IR node name it came from (fused layers keep the first node's name). */
  name: string;
  /** IR node names this layer covers, for the build log ("fused Conv_3 + Relu_4"). */
  from: string[];
  /** Per-layer precision override (BuilderConfig.layerPrecision); undefined = network default. */
  precision?: 'fp32' | 'fp16';
  /** The one tensor the layer writes. */
  output: string;
}

// Each kind's interface lives with the rest of its definition in layers/<kind>.ts.
export type { ConcatLayer } from './layers/concat.js';
export type { ConvLayer } from './layers/conv.js';
export type { ConvertLayer } from './layers/convert.js';
export type { GemmLayer } from './layers/gemm.js';
export type { MatmulLayer } from './layers/matmul.js';
export type { TransposeLayer } from './layers/transpose.js';
export type { SliceLayer } from './layers/slice.js';
export type { PointwiseLayer } from './layers/pointwise.js';
export type { PoolLayer } from './layers/pool.js';
export type { ReshapeLayer } from './layers/reshape.js';
export type { SoftmaxLayer } from './layers/softmax.js';
export type { NormLayer } from './layers/norm.js';
export type { ReduceLayer } from './layers/reduce.js';
export type { AttentionLayer } from './layers/attention.js';
export type { QLinearLayer } from './layers/qlinear.js';
export type { ConvTransposeLayer } from './layers/conv-transpose.js';
export type { GatherLayer } from './layers/gather.js';
export type { TypedLayer } from './layers/typed.js';
export type { SpaceToDepthLayer } from './layers/space-to-depth.js';
import type { ConcatLayer } from './layers/concat.js';
import type { ConvLayer } from './layers/conv.js';
import type { ConvertLayer } from './layers/convert.js';
import type { GemmLayer } from './layers/gemm.js';
import type { MatmulLayer } from './layers/matmul.js';
import type { TransposeLayer } from './layers/transpose.js';
import type { SliceLayer } from './layers/slice.js';
import type { PointwiseLayer } from './layers/pointwise.js';
import type { PoolLayer } from './layers/pool.js';
import type { ReshapeLayer } from './layers/reshape.js';
import type { SoftmaxLayer } from './layers/softmax.js';
import type { NormLayer } from './layers/norm.js';
import type { ReduceLayer } from './layers/reduce.js';
import type { AttentionLayer } from './layers/attention.js';
import type { QLinearLayer } from './layers/qlinear.js';
import type { ConvTransposeLayer } from './layers/conv-transpose.js';
import type { GatherLayer } from './layers/gather.js';
import type { TypedLayer } from './layers/typed.js';
import type { SpaceToDepthLayer } from './layers/space-to-depth.js';

export type Layer = ConvLayer | GemmLayer | PoolLayer | PointwiseLayer | ConcatLayer | SoftmaxLayer | ReshapeLayer | ConvertLayer
  | NormLayer | ReduceLayer
  | MatmulLayer | TransposeLayer | SliceLayer
  | AttentionLayer
  | QLinearLayer
  | ConvTransposeLayer
  | GatherLayer | TypedLayer | SpaceToDepthLayer;
export type LayerKind = Layer['kind'];

/** A network: tensors by name, layers in execution (topological) order, inputs and outputs. */
export interface Network {
  tensors: Map<string, NetTensor>;
  layers: Layer[];
  inputs: string[];
  outputs: string[];
}
