// Pairs ops with their fast CPU kernels (WebAssembly SIMD). Each falls back to the op's reference
// kernel where the fast one does not apply (another dtype or rank) or WebAssembly SIMD is missing.
import { Conv, convGeometry } from '../ops/conv/conv.op.js';
import { Gemm } from '../ops/gemm/gemm.op.js';
import { MatMul } from '../ops/matmul/matmul.op.js';
import { MaxPool } from '../ops/maxpool/maxpool.op.js';
import { windowOf } from '../ops/_kernels/window.js';
import { registerFastCpuKernel } from '../ops/registry.js';
import { Split } from '../ops/split/split.op.js';
import { permutation, Transpose } from '../ops/transpose/transpose.op.js';
import { splitFast, transposeFast } from './block-copy.js';
import { convFast } from './conv.js';
import { gemmFast, matmulFast } from './matmul.js';
import { maxPoolFast } from './pool.js';
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

// data movement: block copies in JavaScript (no WebAssembly needed)
registerFastCpuKernel(Transpose, ([x], { perm }, [out]) => transposeFast(x!, permutation(perm, x!.rank), out!));
registerFastCpuKernel(Split, ([x], { axis }, outs) => splitFast(x!, axis, outs));
