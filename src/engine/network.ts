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
  | { kind: 'silu' };

export const NO_ACTIVATION: Activation = { kind: 'none' };

/**
 * How a tensor is laid out in device memory. `nchw`/`nhwc` apply to rank-4 tensors (rank-3
 * [N, C, W] 1-D images are treated as [N, C, 1, W]); `plain` is row-major in the logical shape.
 * `f16x2` stores IEEE halves two to a u32 (pack2x16float) along the innermost physical axis,
 * which must then have an even length; arithmetic always runs in f32.
 */
export type Layout = 'plain' | 'nchw' | 'nhwc';
export type Storage = 'f32' | 'f16x2';
export interface TensorFormat {
  layout: Layout;
  storage: Storage;
}

export const PLAIN_F32: TensorFormat = { layout: 'plain', storage: 'f32' };

export interface NetTensor {
  name: string;
  /** Logical (ONNX) shape. */
  shape: number[];
  /** Physical format; PLAIN_F32 until the layout and precision passes decide. */
  format: TensorFormat;
}

/** Pointwise expression trees: leaves are layer inputs (broadcast to the output) or constants. */
export type PwExpr =
  | { op: 'input'; index: number }
  | { op: 'const'; value: number }
  | { op: 'unary'; fn: PwUnary; arg: PwExpr }
  | { op: 'binary'; fn: PwBinary; a: PwExpr; b: PwExpr }
  | { op: 'act'; act: Activation; arg: PwExpr };
export type PwUnary = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'floor' | 'ceil' | 'erf' | 'sin' | 'cos';
export type PwBinary = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow';

interface LayerBase {
  /** Unique; the IR node name it came from (fused layers keep the first node's name). */
  name: string;
  /** IR node names this layer covers, for the build log ("fused Conv_3 + Relu_4"). */
  from: string[];
  /** Per-layer precision override (BuilderConfig.layerPrecision); undefined = network default. */
  precision?: 'fp32' | 'fp16';
}

/**
 * Convolution, 1-D or 2-D (1-D as 2-D with H = 1), with an epilogue: y = act(conv(x) + bias +
 * residual). Weights OIHW as in ONNX; the kernels re-lay them out for their tactic.
 */
export interface ConvLayer extends LayerBase {
  kind: 'conv';
  input: string;
  output: string;
  weights: Float32Array;
  /** [O, I/group, KH, KW]. */
  weightShape: [number, number, number, number];
  bias?: Float32Array;
  /** A tensor of the output's shape added before the activation (ResNet's shortcut). */
  residual?: string;
  act: Activation;
  group: number;
  strides: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  dilations: [number, number];
}

/** y = act(x · W + bias + residual), x [M, K] (activation), W [K, N] constant. */
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
}

export interface PoolLayer extends LayerBase {
  kind: 'pool';
  op: 'max' | 'avg';
  input: string;
  output: string;
  /** Global pools have kernel = the input's spatial size, stride 1, no padding. */
  kernel: [number, number];
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  /** Average pooling: count padded cells in the divisor. */
  countIncludePad: boolean;
}

/** Elementwise over inputs broadcast to the output: same shape, one element, or per channel. */
export interface PointwiseLayer extends LayerBase {
  kind: 'pointwise';
  inputs: string[];
  output: string;
  expr: PwExpr;
  /** Constant operands (per-channel scale/shift of an unfused BatchNorm...), named `const:i`. */
  constants?: Float32Array[];
}

export interface ConcatLayer extends LayerBase {
  kind: 'concat';
  inputs: string[];
  output: string;
  axis: number;
  /** Set by the concat pass: producers write into the output directly; the layer runs nothing. */
  inPlace?: boolean;
}

/** Softmax over the last axis of a plain tensor. */
export interface SoftmaxLayer extends LayerBase {
  kind: 'softmax';
  input: string;
  output: string;
  log: boolean;
}

/** Same elements, another logical shape (Reshape, Flatten, Squeeze...): a view when layouts allow. */
export interface ReshapeLayer extends LayerBase {
  kind: 'reshape';
  input: string;
  output: string;
}

/** Format conversion inserted by the layout/precision passes at the edges of a region. */
export interface ConvertLayer extends LayerBase {
  kind: 'convert';
  input: string;
  output: string;
}

export type Layer = ConvLayer | GemmLayer | PoolLayer | PointwiseLayer | ConcatLayer | SoftmaxLayer | ReshapeLayer | ConvertLayer;
export type LayerKind = Layer['kind'];

/** A network: tensors by name, layers in execution (topological) order, inputs and outputs. */
export interface Network {
  tensors: Map<string, NetTensor>;
  layers: Layer[];
  inputs: string[];
  outputs: string[];
}

/** The tensors a layer reads, in binding order (main input(s) first, then the residual). */
export function layerInputs(l: Layer): string[] {
  switch (l.kind) {
    case 'conv':
    case 'gemm':
      return l.residual ? [l.input, l.residual] : [l.input];
    case 'pointwise':
    case 'concat':
      return [...l.inputs];
    default:
      return [l.input];
  }
}

export function layerOutputs(l: Layer): string[] {
  return [l.output];
}

