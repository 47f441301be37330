// Pairs ops with their fast CPU kernels (WebAssembly SIMD). Each falls back to the op's reference
// kernel where the fast one does not apply (another dtype, rank or broadcast form) or WebAssembly
// SIMD is missing. The reference kernels stay selectable (cpuKernels 'reference'): they are the
// checking path.
import { AveragePool } from '../ops/averagepool/averagepool.op.js';
import { BatchNormalization } from '../ops/batchnormalization/batchnormalization.op.js';
import { Add, Div, Mul, Sub } from '../ops/binary/binary.op.js';
import { Clip } from '../ops/clip/clip.op.js';
import { Concat } from '../ops/concat/concat.op.js';
import { Conv, convGeometry } from '../ops/conv/conv.op.js';
import { Gemm } from '../ops/gemm/gemm.op.js';
import { GlobalAveragePool } from '../ops/globalaveragepool/globalaveragepool.op.js';
import { GlobalMaxPool } from '../ops/globalmaxpool/globalmaxpool.op.js';
import { LayerNormalization } from '../ops/layernormalization/layernormalization.op.js';
import { MatMul } from '../ops/matmul/matmul.op.js';
import { MaxPool } from '../ops/maxpool/maxpool.op.js';
import { REDUCE_OPS, reducedAxes } from '../ops/reduce/reduce.op.js';
import { Relu } from '../ops/relu/relu.op.js';
import { LogSoftmax, Softmax } from '../ops/softmax/softmax.op.js';
import { HardSigmoid, HardSwish, LeakyRelu, Sigmoid, Tanh } from '../ops/unary/unary.op.js';
import { windowOf } from '../ops/_kernels/window.js';
import { registerFastCpuKernel } from '../ops/registry.js';
import { Split } from '../ops/split/split.op.js';
import { permutation, Transpose } from '../ops/transpose/transpose.op.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';
import { concatFast, splitFast, transposeFast } from './block-copy.js';
import { convFast } from './conv.js';
import type { Activation } from './epilogue.js';
import { batchNormFast, binaryFast, layerNormFast, softmaxFast, unaryFast } from './fast-ops.js';
import { gemmFast, matmulFast } from './matmul.js';
import { averagePoolFast, globalPoolFast, maxPoolFast, reduceTrailingFast } from './pool.js';
import { wasmKernels } from './wasm-kernels.js';

registerFastCpuKernel(Conv, ([x, w, b], a, [out]) => {
  const wasm = wasmKernels();
  return wasm && convFast(wasm, x!, w!, b, a.group, convGeometry(x!.shape, w!.shape, a).window, out!);
});

registerFastCpuKernel(Gemm, ([a, b, c], at, [out]) => {
  const wasm = wasmKernels();
  return wasm && gemmFast(wasm, a!, b!, c, at, out!);
});

registerFastCpuKernel(MatMul, ([a, b], _at, [out]) => {
  const wasm = wasmKernels();
  return wasm && matmulFast(wasm, a!, b!, out!);
});

registerFastCpuKernel(MaxPool, ([x], a, outs) => {
  const wasm = wasmKernels();
  return wasm && maxPoolFast(wasm, x!, windowOf(a, a.kernel_shape), outs);
});

registerFastCpuKernel(AveragePool, ([x], a, [out]) => {
  const wasm = wasmKernels();
  return wasm && averagePoolFast(wasm, x!, windowOf(a, a.kernel_shape), a.count_include_pad !== 0, out!);
});

registerFastCpuKernel(GlobalAveragePool, ([x], _a, [out]) => {
  const wasm = wasmKernels();
  return wasm && globalPoolFast(wasm, 'avg', x!, out!);
});

registerFastCpuKernel(GlobalMaxPool, ([x], _a, [out]) => {
  const wasm = wasmKernels();
  return wasm && globalPoolFast(wasm, 'max', x!, out!);
});

for (const [type, kind] of [['ReduceMean', 'avg'], ['ReduceMax', 'max']] as const) {
  registerFastCpuKernel(REDUCE_OPS[type]!, ([x, axesIn], { noop_with_empty_axes }, [out]) => {
    const wasm = wasmKernels();
    const axes = reducedAxes(x!.shape, axesIn && { dtype: axesIn.dtype, shape: axesIn.shape, value: axesIn }, noop_with_empty_axes);
    return wasm && reduceTrailingFast(wasm, kind, x!, axes, out!);
  });
}

/** An activation's fast kernel (its parameters from the node). */
function activationKernel(act: (inputs: readonly (Tensor | undefined)[]) => Activation | undefined) {
  return (inputs: readonly (Tensor | undefined)[], _a: unknown, [out]: readonly TensorType[]) => {
    const wasm = wasmKernels();
    const a = act(inputs);
    return wasm && a && unaryFast(wasm, a, inputs[0], out!);
  };
}

registerFastCpuKernel(Relu, activationKernel(() => ({ kind: 'relu' })));
registerFastCpuKernel(Sigmoid, activationKernel(() => ({ kind: 'sigmoid' })));
registerFastCpuKernel(Tanh, activationKernel(() => ({ kind: 'tanh' })));
registerFastCpuKernel(HardSwish, activationKernel(() => ({ kind: 'hardswish' })));
registerFastCpuKernel(Clip, activationKernel(([, min, max]) => {
  if ((min && min.dtype !== 'float32') || (max && max.dtype !== 'float32')) return undefined;
  return { kind: 'clip', min: min ? (min.data as Float32Array)[0]! : -Infinity, max: max ? (max.data as Float32Array)[0]! : Infinity };
}));
registerFastCpuKernel(LeakyRelu, (inputs, { alpha }, outs) => activationKernel(() => ({ kind: 'leakyrelu', alpha }))(inputs, undefined, outs));
registerFastCpuKernel(HardSigmoid, (inputs, { alpha, beta }, outs) =>
  activationKernel(() => ({ kind: 'hardsigmoid', alpha, beta }))(inputs, undefined, outs));

for (const [def, op] of [[Add, 'add'], [Sub, 'sub'], [Mul, 'mul'], [Div, 'div']] as const) {
  registerFastCpuKernel(def, ([a, b], _at, [out]) => {
    const wasm = wasmKernels();
    return wasm && binaryFast(wasm, op, a, b, out!);
  });
}

registerFastCpuKernel(BatchNormalization, (inputs, a, outs) => {
  const wasm = wasmKernels();
  return wasm && batchNormFast(wasm, inputs, a.epsilon, a.training_mode, outs);
});

registerFastCpuKernel(Softmax, ([x], { axis }, [out]) => {
  const wasm = wasmKernels();
  return wasm && softmaxFast(wasm, x, axis, false, out!);
});

registerFastCpuKernel(LogSoftmax, ([x], { axis }, [out]) => {
  const wasm = wasmKernels();
  return wasm && softmaxFast(wasm, x, axis, true, out!);
});

registerFastCpuKernel(LayerNormalization, (inputs, a, outs) => {
  const wasm = wasmKernels();
  return wasm && layerNormFast(wasm, inputs, a.axis, a.epsilon, outs);
});

// data movement: block copies in JavaScript (no WebAssembly needed)
registerFastCpuKernel(Transpose, ([x], { perm }, [out]) => transposeFast(x!, permutation(perm, x!.rank), out!));
registerFastCpuKernel(Split, ([x], { axis }, outs) => splitFast(x!, axis, outs));
registerFastCpuKernel(Concat, (xs, { axis }, [out]) => concatFast(xs, axis, out!));
