// The CPU thread pool's fork-join with its threads spinning between jobs (the default), blocking at
// once (spin 0) and spinning long: every list of thousands of back-to-back jobs (up to three lists
// a thread) runs exactly once,
// a kernel that traps in any thread fails its job (and the pool goes on), and an idle pool does
// not keep a core busy. Pools are made here directly (not through prepareWasmKernels), each with
// its own shared memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { ExecutionError, UsageError } from '../../src/errors.js';
import { CPU_KERNELS_SHARED_BASE64 } from '../../src/cpu/kernels.wasm.js';
import { listOrder } from '../../src/cpu/pool-claims.js';
import { CpuThreadPool, setCpuSpinMicros, type KernelCall } from '../../src/cpu/thread-pool.js';
import { decodeBase64 } from '../../src/cpu/kernel-binaries.js';
import { cpuSpinMicros } from '../../src/node/cpu-threads.js';

const module = new WebAssembly.Module(decodeBase64(CPU_KERNELS_SHARED_BASE64));
const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);

async function makePool(threads: number, spinMicros: number) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<string, (...a: number[]) => void>;
  const old = setCpuSpinMicros(spinMicros);
  const pool = new CpuThreadPool(threads, names, module, memory, (source, init) => {
    const w = new Worker(`const init = require('node:worker_threads').workerData;\n${source}`, { eval: true, workerData: init });
    w.unref();
    return w;
  });
  setCpuSpinMicros(old);
  assert.equal(await pool.ready(), true);
  const here = (calls: readonly KernelCall[]) => {
    for (const [name, args] of calls) exports[name]!(...args);
  };
  return { pool, memory, here };
}

/** Plane means of `planes` planes of `size` floats, by list: [first plane, planes] per list. */
function meansJob(x: number, y: number, size: number, parts: [number, number][]): KernelCall[][] {
  return parts.map(([p0, pc]) => [['globalPool', [x + p0 * size * 4, y + p0 * 4, pc, size, 0]]]);
}

for (const [spin, held] of [[150, false], [0, false], [5000, false], [150, true]] as const) {
  test(`spin ${spin} µs${held ? ', held (as an engine run holds it)' : ''}: thousands of back-to-back jobs of uneven lists, each list runs once`, async () => {
    const { pool, memory, here } = await makePool(3, spin);
    if (held) pool.hold();
    try {
      const size = 40;
      const planes = 30;
      const f = new Float32Array(memory.buffer);
      const x = 1024;
      const y = x + planes * size * 4 + 64;
      for (let i = 0; i < planes * size; i++) f[x / 4 + i] = ((i * 7) % 23) - 11 + i / 997;
      const want = Array.from({ length: planes }, (_, p) => {
        let s = 0;
        for (let i = 0; i < size; i++) s += f[x / 4 + p * size + i]!;
        return s / size;
      });
      for (let job = 0; job < 3000; job++) {
        f.fill(NaN, y / 4, y / 4 + planes);
        // one to nine lists (more than the 3 threads: each owns a block, the others take what
        // it has not started), of uneven lengths, so that threads finish at different times
        const lists = 1 + (job % 9);
        const cut = Array.from({ length: lists + 1 }, (_, k) => (k === 0 ? 0 : k === lists ? planes : k * 3 + ((job * 7 + k) % 3)));
        const parts = Array.from({ length: lists }, (_, k): [number, number] => [cut[k]!, cut[k + 1]! - cut[k]!]);
        assert.ok(parts.every(([, n]) => n > 0), JSON.stringify(parts));
        pool.run(meansJob(x, y, size, parts), here);
        for (let p = 0; p < planes; p++) assert.ok(Math.abs(f[y / 4 + p]! - want[p]!) < 1e-5, `job ${job}, plane ${p}: ${f[y / 4 + p]} vs ${want[p]}`);
      }
    } finally {
      if (held) pool.release();
      pool.dispose();
    }
  });
}

test('a kernel that traps in any list fails its job with an ExecutionError, and the next job runs', async () => {
  const { pool, memory, here } = await makePool(2, 150);
  try {
    const f = new Float32Array(memory.buffer);
    const beyond = memory.buffer.byteLength + 4096; // past the memory's end: the kernel traps
    for (let k = 0; k < 20; k++) {
      const bad = k % 2;
      const lists: KernelCall[][] = [0, 1].map((l) => [['globalPool', [l === bad ? beyond : 1024, 2048 + l * 4, 1, 8, 0]]]);
      assert.throws(() => pool.run(lists, here), (e: unknown) => e instanceof ExecutionError || e instanceof WebAssembly.RuntimeError);
    }
    f.fill(2, 1024 / 4, 1024 / 4 + 16);
    pool.run([[['globalPool', [1024, 2048, 1, 8, 0]]], [['globalPool', [1024 + 32, 2052, 1, 8, 1]]]], here);
    assert.deepEqual([f[2048 / 4], f[2052 / 4]], [2, 2]);
  } finally {
    pool.dispose();
  }
});

test('an idle pool does not keep a core busy after a burst of jobs (its spin is bounded), nor after a hold is released', async () => {
  const { pool, memory, here } = await makePool(2, 5000);
  try {
    new Float32Array(memory.buffer).fill(1, 256, 512);
    // a held burst (threads spin without a time limit), released: the limit is back
    pool.hold();
    for (let k = 0; k < 1000; k++) pool.run([[['globalPool', [1024, 4096, 4, 16, 0]]], [['globalPool', [1280, 4112, 4, 16, 0]]]], here);
    pool.release();
    for (let k = 0; k < 1000; k++) pool.run([[['globalPool', [1024, 4096, 4, 16, 0]]], [['globalPool', [1280, 4112, 4, 16, 0]]]], here);
    const c0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 400));
    const c = process.cpuUsage(c0);
    // a worker spinning without bound would use ~400 ms of CPU here; the spin ends after 5 ms
    assert.ok((c.user + c.system) / 1000 < 150, `${(c.user + c.system) / 1000} ms of CPU while idle for 400 ms`);
  } finally {
    pool.dispose();
  }
});

test('NNRT_CPU_SPIN_US: unset is the default, an integer from 0 to 100000 sets it, anything else is a UsageError', () => {
  assert.equal(cpuSpinMicros(undefined), undefined);
  assert.equal(cpuSpinMicros(''), undefined);
  assert.equal(cpuSpinMicros('0'), 0);
  assert.equal(cpuSpinMicros('250'), 250);
  for (const bad of ['-1', '1.5', 'fast', '100001']) assert.throws(() => cpuSpinMicros(bad), UsageError);
  assert.throws(() => setCpuSpinMicros(-5), ExecutionError);
});

test('listOrder: each thread its own list or block first, then the others\' from the end of each block', () => {
  assert.deepEqual(listOrder(0, 2, 2), [0, 1]);
  assert.deepEqual(listOrder(1, 2, 2), [1, 0]);
  assert.deepEqual(listOrder(0, 8, 2), [0, 1, 2, 3, 7, 6, 5, 4]);
  assert.deepEqual(listOrder(1, 8, 2), [4, 5, 6, 7, 3, 2, 1, 0]);
  assert.deepEqual(listOrder(2, 2, 3), [0, 1]); // no list of its own: it takes a late thread's
  assert.deepEqual(listOrder(2, 5, 3), [3, 4, 0, 2, 1]);
});
