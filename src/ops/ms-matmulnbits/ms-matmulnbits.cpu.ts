import type { Tensor } from '../../tensor/tensor.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { gemm, rowMajor, transposed } from '../_kernels/gemm.js';
import type { CpuKernel } from '../op.js';
import type { MatMulNBits } from './ms-matmulnbits.op.js';

/** The `bits`-wide value at bit position i·bits of a byte array, low bits first (a value may span two bytes). */
function unpack(bytes: Uint8Array, base: number, i: number, bits: number): number {
  const bit = i * bits;
  const lo = bytes[base + (bit >> 3)]! | ((bytes[base + (bit >> 3) + 1] ?? 0) << 8);
  return (lo >> (bit & 7)) & ((1 << bits) - 1);
}

/** W [N, K] dequantized to float32. */
function dequantize(b: Tensor, scales: Tensor, zp: Tensor | undefined, a: { K: number; N: number; bits: number; block_size: number }): Float32Array {
  const blocks = Math.ceil(a.K / a.block_size);
  const blob = (a.block_size * a.bits) / 8;
  const q = b.data as Uint8Array;
  const s = f32Of(scales);
  const zpBytes = zp?.dtype === 'uint8' ? (zp.data as Uint8Array) : undefined;
  const zpFloat = zp && !zpBytes ? f32Of(zp) : undefined;
  const zpRow = Math.ceil((blocks * a.bits) / 8);
  const w = new Float32Array(a.N * a.K);
  for (let n = 0; n < a.N; n++) {
    for (let kb = 0; kb < blocks; kb++) {
      const scale = s[n * blocks + kb]!;
      const zero = zpBytes ? unpack(zpBytes, n * zpRow, kb, a.bits) : zpFloat ? zpFloat[n * blocks + kb]! : 2 ** (a.bits - 1);
      const base = (n * blocks + kb) * blob;
      for (let i = 0; i < a.block_size && kb * a.block_size + i < a.K; i++) {
        w[n * a.K + kb * a.block_size + i] = (unpack(q, base, i, a.bits) - zero) * scale;
      }
    }
  }
  return w;
}

export const matMulNBitsCpu: CpuKernel<typeof MatMulNBits.attrs> = ([x, b, scales, zp, , bias], a, [out]) => {
  const w = dequantize(b!, scales!, zp, a);
  const X = f32Of(x!);
  const B = bias && f32Of(bias);
  const rows = X.length / a.K;
  const y = new Float32Array(rows * a.N);
  if (B) for (let r = 0; r < rows; r++) y.set(B, r * a.N);
  gemm(rows, a.N, a.K, rowMajor(X, 0, a.K), transposed(rowMajor(w, 0, a.K)), y, 0, a.N, true);
  return [floatResult(out!.dtype, out!.shape, y)];
};
