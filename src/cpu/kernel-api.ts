// The raw-address kernel API: the WebAssembly SIMD CPU kernels as functions of a WasmKernels, byte
// addresses in its memory and geometry (no Tensors), for the framework's fast kernels
// (register.ts) and the CPU engine. Conventions:
// * Addresses are byte addresses of float32 data in `wasm.memory`, from `wasm.reserve(floats).at`
//   (persistent: weights, an engine's activation arena) or `wasm.alloc` (the per-call arena).
//   Every function here returns its own scratch to the arena (mark/rewind) and leaves the rest.
// * Constant operands are packed once: `packConvWeights`, `packGemmB` (persistent blocks unless
//   `transient`); release their `block` when done.
// * Heavy kernels spread over the thread pool (`wasm.threads`); with one thread they run here.
// * Epilogues (conv, gemm, depthwise, channel affine) fuse a bias, a residual (a tensor shaped
//   like the output) and an activation: y = act(acc + bias + residual), or with
//   `activationBeforeResidual` y = act(acc + bias) + residual.
export type { Activation, Epilogue } from './epilogue.js';
export { conv2d, convMethod, packConvWeights, type ConvShape, type PackedConv } from './api-conv.js';
export { gemm, matmul, packGemmB, type GemmOptions, type PackedB, type RawB } from './api-gemm.js';
export { averagePool2d, globalPool, maxPool2d, windowScales, type PoolShape } from './api-pool.js';
export {
  binary, channelAffine, layerNorm, softmax, unary, type BinaryOp, type BroadcastForm, type LayerNormOptions,
} from './api-rows.js';
export { createWasmKernels, prepareWasmKernels, WasmKernels, wasmKernels, type ReservedBlock } from './wasm-kernels.js';
