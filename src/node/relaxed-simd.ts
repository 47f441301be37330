// Relaxed SIMD for the CPU kernels in Node (src/cpu/kernel-binaries.ts): Node 22 and later validate
// it as they are; Node 20's V8 (11.3) has the same implementation behind a flag, turned on here
// before the kernels first compile (V8 11.4, Chrome 114, shipped it on by default). The flag only
// lets WebAssembly modules use the relaxed instructions; modules that do not are unaffected.
// NNRT_CPU_RELAXED_SIMD=0 keeps the plain SIMD build (a multiply and an add, rounded twice, on
// every machine); 1 or unset takes the relaxed build where the platform has it.
import v8 from 'node:v8';
import { UsageError } from '../errors.js';
import { allowRelaxedSimd, platformHasRelaxedSimd } from '../cpu/kernel-binaries.js';
import { recordEnvironmentError } from './environment-errors.js';

/** NNRT_CPU_RELAXED_SIMD as a setting: true (default) unless it is 0. */
export function relaxedSimdSetting(env: string | undefined = process.env.NNRT_CPU_RELAXED_SIMD): boolean {
  if (env === undefined || env === '' || env === '1') return true;
  if (env === '0') return false;
  throw new UsageError(`NNRT_CPU_RELAXED_SIMD must be 0 or 1, got '${env}'`);
}

let allowed = true;
try {
  allowed = relaxedSimdSetting();
} catch (e) {
  recordEnvironmentError(e);
}
allowRelaxedSimd(allowed);
if (allowed && !platformHasRelaxedSimd()) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
