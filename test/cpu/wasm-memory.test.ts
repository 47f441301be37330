// Persistent blocks of the CPU kernels' memory: they survive reset(), gaps left by released blocks
// are reused, a block reserved during a call never overlaps the call's arena, and growth keeps both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmKernels, wasmKernels, type KernelExports } from '../../src/cpu/wasm-kernels.js';

/** A fresh instance over its own memory (the kernels' exports are not called here). */
function fresh(pages = 1): WasmKernels {
  return new WasmKernels(wasmKernels()!.k as KernelExports, new WebAssembly.Memory({ initial: pages }));
}

const overlaps = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];

test('a reserved block keeps its contents across reset() and arena use', () => {
  const w = fresh();
  const block = w.reserve(100);
  w.floats().set(Float32Array.from({ length: 100 }, (_, i) => i + 0.5), block.at / 4);
  for (let call = 0; call < 3; call++) {
    w.reset();
    const x = w.alloc(50000); // grows the memory past one page
    assert.ok(!overlaps([x, x + 50000 * 4], [block.at, block.at + 400]));
    w.floats().fill(-1, x / 4, x / 4 + 50000);
  }
  assert.ok(w.memory.buffer.byteLength > 65536, 'the memory grew');
  assert.deepEqual([...w.read(block.at, 100)], Array.from({ length: 100 }, (_, i) => i + 0.5));
});

test('released blocks are reused first-fit, and the arena starts above the highest live block', () => {
  const w = fresh();
  const a = w.reserve(1000);
  const b = w.reserve(1000);
  const c = w.reserve(10);
  assert.ok(a.at < b.at && b.at < c.at);
  b.release();
  b.release(); // twice is harmless
  const d = w.reserve(900); // fits where b was
  assert.equal(d.at, b.at);
  const e = w.reserve(2000); // does not fit any gap: above c
  assert.ok(e.at > c.at);
  assert.equal(w.reset().alloc(1) >= e.at + 2000 * 4, true);
  e.release();
  assert.ok(w.reset().alloc(1) < e.at + 2000 * 4, 'the arena moves down once the highest block is gone');
  assert.equal(w.reservedBytes() > 0, true);
  for (const blk of [a, c, d]) blk.release();
  assert.equal(w.reservedBytes(), 0);
});

test('a block reserved during a call goes above the live arena, and rewind keeps it', () => {
  const w = fresh();
  w.reset();
  const x = w.alloc(300);
  const mark = w.mark();
  const y = w.alloc(300);
  const blk = w.reserve(50);
  assert.ok(blk.at >= y + 300 * 4, 'above what the call holds');
  w.rewind(mark);
  const z = w.alloc(300);
  assert.ok(!overlaps([z, z + 1200], [blk.at, blk.at + 200]), 'the arena skips the new block after a rewind');
  assert.ok(z > x);
  w.reset();
  assert.ok(w.alloc(1) >= blk.at + 200);
});

test('reserving a bad size is refused with a typed error', () => {
  assert.throws(() => fresh().reserve(Number.NaN), /cannot reserve NaN floats/);
  assert.throws(() => fresh().reserve(-1), /cannot reserve -1 floats/);
});

test('memory that cannot grow is a typed error, not a crash', () => {
  const w = new WasmKernels(wasmKernels()!.k as KernelExports, new WebAssembly.Memory({ initial: 1, maximum: 2 }));
  assert.throws(() => w.reset().alloc(200_000), /memory cannot grow to 1 MiB/);
  assert.throws(() => w.reserve(200_000), /memory cannot grow/);
});

test('a failed growth leaves the arena and the blocks as they were', () => {
  const w = new WasmKernels(wasmKernels()!.k as KernelExports, new WebAssembly.Memory({ initial: 1, maximum: 2 }));
  const kept = w.reserve(100);
  w.reset();
  const mark = w.mark();
  assert.throws(() => w.alloc(200_000));
  assert.throws(() => w.reserve(200_000));
  assert.equal(w.mark(), mark);
  assert.equal(w.reservedBytes(), 448);
  assert.ok(w.alloc(10) >= kept.at + 400);
});
