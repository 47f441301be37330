// Which build of the CPU kernels runs here (scripts/build-wasm.mjs makes four: private or shared
// memory, each with plain and with relaxed SIMD). Relaxed SIMD lets the GEMM, conv and RNN inner
// loops use a fused multiply-add (assembly/madd.ts): measured 15% faster on MobileNetV2 (CPU engine,
// 2 threads, 2-vCPU EPYC VM, 9.3–9.8 vs 10.9–11.9 ms). It is taken wherever WebAssembly validates
// it (Chrome 114+, Node 22+; Node 20 once src/node/wasm-features.ts turns on V8's flag) unless
// allowRelaxedSimd(false) was called first; results may then differ from the plain build's in the
// last bits (a fused multiply-add rounds once). Both memories always use the same kind, so a
// threaded run and a single-threaded one compute the same.
import { UsageError } from '../errors.js';
import {
  CPU_KERNELS_PRIVATE_BASE64, CPU_KERNELS_PRIVATE_RELAXED_BASE64, CPU_KERNELS_SHARED_BASE64, CPU_KERNELS_SHARED_RELAXED_BASE64,
} from './kernels.wasm.js';

/** The instruction set the kernels use: relaxed SIMD, plain 128-bit SIMD, or none (no fast kernels). */
export type CpuSimd = 'relaxed-simd' | 'simd128' | 'none';

let relaxedAllowed = true;
let chosen: CpuSimd | undefined;

/** Base64 decoding that works in Node and in a page (no Buffer). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function validates(text: string): boolean {
  try {
    return typeof WebAssembly !== 'undefined' && WebAssembly.validate(decodeBase64(text));
  } catch {
    return false;
  }
}

/**
 * Whether the kernels may use relaxed SIMD where the platform has it (default true). Takes effect
 * only before the kernels are first chosen (the first CPU session or kernel call).
 */
export function allowRelaxedSimd(allowed: boolean): void {
  if (chosen !== undefined && allowed !== relaxedAllowed) {
    throw new UsageError(`the CPU kernels are already loaded with ${chosen}: allowRelaxedSimd(${allowed}) must come before the first CPU run`, {
      hint: 'call it at startup, or set NNRT_CPU_RELAXED_SIMD before the process starts',
    });
  }
  relaxedAllowed = allowed;
}

/** The kernels' instruction set here, decided once. */
export function cpuSimd(): CpuSimd {
  chosen ??= relaxedAllowed && validates(CPU_KERNELS_PRIVATE_RELAXED_BASE64) && validates(CPU_KERNELS_SHARED_RELAXED_BASE64)
    ? 'relaxed-simd'
    : validates(CPU_KERNELS_PRIVATE_BASE64) ? 'simd128' : 'none';
  return chosen;
}

/** The kernels' binary for private (single-threaded) or shared (the worker pool's) memory; undefined without SIMD. */
export function kernelBinary(memory: 'private' | 'shared'): Uint8Array<ArrayBuffer> | undefined {
  const simd = cpuSimd();
  if (simd === 'none') return undefined;
  const relaxed = simd === 'relaxed-simd';
  return decodeBase64(memory === 'private'
    ? (relaxed ? CPU_KERNELS_PRIVATE_RELAXED_BASE64 : CPU_KERNELS_PRIVATE_BASE64)
    : (relaxed ? CPU_KERNELS_SHARED_RELAXED_BASE64 : CPU_KERNELS_SHARED_BASE64));
}

/** Whether this platform validates relaxed SIMD now (whatever allowRelaxedSimd says; not cached). */
export function platformHasRelaxedSimd(): boolean {
  return validates(CPU_KERNELS_PRIVATE_RELAXED_BASE64);
}
