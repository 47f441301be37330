// Gemm and MatMul on the WebAssembly SIMD kernels (the framework's fast kernels), for float32,
// through kernel-api's gemm/matmul. A constant B (an initializer) is packed once and stays
// resident; Gemm's C becomes the fused epilogue (a column bias, a row bias or a residual). Other
// dtypes return undefined and the reference kernels run instead.
import { broadcastStrides, elementCount } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';
import { matmulGeometry } from '../ops/matmul/matmul.op.js';
import { gemm, matmul, packGemmB, type GemmOptions, type PackedB, type RawB } from './api-gemm.js';
import { residentPacked } from './resident.js';
import type { WasmKernels } from './wasm-kernels.js';

export interface GemmAttrs {
  alpha: number;
  beta: number;
  transA: number;
  transB: number;
}

/** B as the GEMM reads it: packed and resident when constant, else copied in as it is. */
function operandB(wasm: WasmKernels, b: Tensor, k: number, n: number, trans: boolean): PackedB | RawB {
  const data = b.data as Float32Array;
  const packed = residentPacked(wasm, data, `gemmB:${k}:${n}:${trans ? 1 : 0}`, () => packGemmB(wasm, data, k, n, trans));
  return packed ?? { at: wasm.put(data), trans };
}

/** Y = alpha · A' · B' + beta · C (C broadcast to [M, N]). */
export function gemmFast(
  wasm: WasmKernels, a: Tensor, b: Tensor, c: Tensor | undefined, at: GemmAttrs, out: TensorType,
): Tensor[] | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (c && c.dtype !== 'float32')) return undefined;
  const [m, n] = out.shape as [number, number];
  const k = at.transA ? a.shape[0]! : a.shape[1]!;
  wasm.reset();
  const B = operandB(wasm, b, k, n, at.transB !== 0);
  const A = wasm.put(a.data as Float32Array);
  const Y = wasm.alloc(m * n);
  const o: GemmOptions = { transA: at.transA !== 0, alpha: at.alpha };
  if (c !== undefined && at.beta !== 0) {
    const C = c.data as Float32Array;
    const [rs, cs] = broadcastStrides(c.shape, [m, n]) as [number, number];
    const f = wasm.floats();
    if (rs === 0) {
      // one row broadcast down: a column bias
      const bias = wasm.alloc(n);
      for (let j = 0; j < n; j++) f[bias / 4 + j] = at.beta * C[j * cs]!;
      o.epilogue = { bias };
    } else if (cs === 0) {
      const rowBias = wasm.alloc(m);
      for (let i = 0; i < m; i++) f[rowBias / 4 + i] = at.beta * C[i * rs]!;
      o.rowBias = rowBias;
    } else {
      const residual = wasm.alloc(m * n);
      for (let i = 0; i < m * n; i++) f[residual / 4 + i] = at.beta * C[i]!;
      o.epilogue = { residual };
    }
  }
  gemm(wasm, m, n, k, A, B, Y, o);
  return [new Tensor('float32', out.shape, wasm.read(Y, m * n))];
}

/** MatMul with numpy broadcasting of the batch dims; a constant 2-D B is packed and resident. */
export function matmulFast(wasm: WasmKernels, a: Tensor, b: Tensor, out: TensorType): Tensor[] | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const { batch, m, k, n } = matmulGeometry(a.shape, b.shape);
  const aShape = [...(a.shape.length > 2 ? a.shape.slice(0, -2) : []), m, k];
  const bShape = [...(b.shape.length > 2 ? b.shape.slice(0, -2) : []), k, n];
  wasm.reset();
  const B = bShape.length === 2 ? operandB(wasm, b, k, n, false) : { at: wasm.put(b.data as Float32Array) };
  const A = wasm.put(a.data as Float32Array);
  const count = elementCount(out.shape);
  const Y = wasm.alloc(count);
  matmul(wasm, A, aShape, B, bShape, Y, batch);
  return [new Tensor('float32', out.shape, wasm.read(Y, count))];
}
