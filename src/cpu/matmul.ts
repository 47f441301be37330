// Gemm and MatMul on the WebAssembly SIMD packed GEMM, for float32. Transposes are strides of the
// packing, never copies. Other dtypes return undefined and the reference kernels run instead.
import { broadcastStrides, elementCount, forEachBroadcastBatch } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';
import { matmulGeometry } from '../ops/matmul/matmul.op.js';
import { parallelGemm, scratchPerThread } from './parallel.js';
import type { WasmKernels } from './wasm-kernels.js';

export interface GemmAttrs {
  alpha: number;
  beta: number;
  transA: number;
  transB: number;
}

/** Y = alpha · A' · B' + beta · C (C broadcast to [M, N]). */
export function gemmFast(
  wasm: WasmKernels, a: Tensor, b: Tensor, c: Tensor | undefined, at: GemmAttrs, out: TensorType,
): Tensor[] | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (c && c.dtype !== 'float32')) return undefined;
  const [m, n] = out.shape as [number, number];
  const k = at.transA ? a.shape[0]! : a.shape[1]!;
  const { k: kernels } = wasm.reset();
  const A = wasm.put(a.numeric() as Float32Array);
  const B = wasm.put(b.numeric() as Float32Array);
  const Y = wasm.alloc(m * n);
  const withC = c !== undefined && at.beta !== 0;
  if (withC) {
    const C = c.numeric() as Float32Array;
    const [rs, cs] = broadcastStrides(c.shape, [m, n]) as [number, number];
    const f = wasm.floats();
    const y0 = Y / 4;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) f[y0 + i * n + j] = at.beta * C[i * rs + j * cs]!;
  }
  // A is [m, k] (or [k, m] when transposed), B [k, n] (or [n, k]): strides in floats
  const [ars, acs] = at.transA ? [1, m] : [k, 1];
  const [brs, bcs] = at.transB ? [1, k] : [n, 1];
  const scratch = scratchPerThread(wasm, kernels.gemmScratchFloats());
  parallelGemm(wasm, m, n, k, A, ars, acs, B, brs, bcs, Y, n, withC, at.alpha, scratch);
  return [new Tensor('float32', out.shape, wasm.read(Y, m * n))];
}

/** MatMul with numpy broadcasting of the batch dims; a dense A batch over a 2-D B is one GEMM. */
export function matmulFast(wasm: WasmKernels, a: Tensor, b: Tensor, out: TensorType): Tensor[] | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const { batch, m, k, n } = matmulGeometry(a.shape, b.shape);
  const { k: kernels } = wasm.reset();
  const A = wasm.put(a.numeric() as Float32Array);
  const B = wasm.put(b.numeric() as Float32Array);
  const count = elementCount(out.shape);
  const Y = wasm.alloc(count);
  const scratch = scratchPerThread(wasm, kernels.gemmScratchFloats());
  const batches = elementCount(batch);
  const aBatch = a.shape.length > 2 ? a.shape.slice(0, -2) : [];
  const bBatch = b.shape.length > 2 ? b.shape.slice(0, -2) : [];
  if (elementCount(bBatch) === 1 && elementCount(aBatch) === batches) {
    parallelGemm(wasm, batches * m, n, k, A, k, 1, B, n, 1, Y, n, false, 1, scratch);
    return [new Tensor('float32', out.shape, wasm.read(Y, count))];
  }
  forEachBroadcastBatch(batch, aBatch, bBatch, (t, aAt, bAt) => {
    parallelGemm(wasm, m, n, k, A + aAt * m * k * 4, k, 1, B + bAt * k * n * 4, n, 1, Y + t * m * n * 4, n, false, 1, scratch);
  });
  return [new Tensor('float32', out.shape, wasm.read(Y, count))];
}
