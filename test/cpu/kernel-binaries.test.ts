// Which build of the CPU kernels a process runs (src/cpu/kernel-binaries.ts, src/node/relaxed-simd.ts):
// the test runner loads relaxed-simd.ts first, as a Node user's process has it, and runs test/cpu/
// a second time with NNRT_CPU_RELAXED_SIMD=0; each run must get the build it asked for, and the
// setting is fixed once the kernels are loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowRelaxedSimd, cpuSimd, platformHasRelaxedSimd } from '../../src/cpu/kernel-binaries.js';
import { wasmKernels } from '../../src/cpu/wasm-kernels.js';
import { relaxedSimdSetting } from '../../src/node/relaxed-simd.js';
import { cpuAdapter } from '../../src/engine/cpu/engine.js';
import { UsageError } from '../../src/errors.js';

const plain = process.env.NNRT_CPU_RELAXED_SIMD === '0';

test('the kernels are the build this process asked for (Node 20+ has relaxed SIMD, through V8\'s flag on 20)', () => {
  assert.ok(wasmKernels(), 'the kernels did not load');
  // the plain run never turns V8's flag on
  if (!plain) assert.equal(platformHasRelaxedSimd(), true, `Node ${process.version} does not validate relaxed SIMD`);
  assert.equal(cpuSimd(), plain ? 'simd128' : 'relaxed-simd');
  assert.equal(cpuAdapter(true).architecture, plain ? 'wasm-simd128' : 'wasm-relaxed-simd');
});

test('the build cannot change once the kernels are loaded; the same setting again is fine', () => {
  wasmKernels();
  assert.throws(() => allowRelaxedSimd(plain), (e: unknown) => e instanceof UsageError && /already loaded/.test(e.message));
  allowRelaxedSimd(!plain);
});

test('NNRT_CPU_RELAXED_SIMD takes 0 or 1 (empty: 1) and refuses anything else', () => {
  assert.equal(relaxedSimdSetting(''), true);
  assert.equal(relaxedSimdSetting('1'), true);
  assert.equal(relaxedSimdSetting('0'), false);
  assert.throws(() => relaxedSimdSetting('yes'), (e: unknown) => e instanceof UsageError && /must be 0 or 1/.test(e.message));
});
