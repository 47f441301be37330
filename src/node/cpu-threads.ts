// In Node the fast CPU kernels spread heavy work over worker_threads sharing their WebAssembly
// memory: one thread per core by default, NNRT_CPU_THREADS=N to choose (1: single-threaded).
// NNRT_CPU_SPIN_US=N sets how long the pool's threads spin between jobs before they sleep
// (thread-pool.ts; default 150, 0 where other processes need the cores).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { setCpuSpinMicros } from '../cpu/thread-pool.js';
import { installCpuThreads } from '../cpu/wasm-kernels.js';
import { recordEnvironmentError } from './environment-errors.js';

/** Threads for the CPU kernels: NNRT_CPU_THREADS when set, else the cores Node sees. */
export function cpuThreadCount(env: string | undefined = process.env.NNRT_CPU_THREADS): number {
  if (env === undefined || env === '') return availableParallelism();
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`NNRT_CPU_THREADS must be a positive integer, got '${env}'`);
  return n;
}

/** The pool's spin time from NNRT_CPU_SPIN_US, or undefined (the default) when unset. */
export function cpuSpinMicros(env: string | undefined = process.env.NNRT_CPU_SPIN_US): number | undefined {
  if (env === undefined || env === '') return undefined;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new UsageError(`NNRT_CPU_SPIN_US must be an integer from 0 to 100000, got '${env}'`);
  return n;
}

/** Installs worker_threads as the CPU kernels' workers (effective from the next session created). */
export function installNodeCpuThreads(threads = cpuThreadCount()): void {
  installCpuThreads((source, init) => {
    const worker = new Worker(`const init = require('node:worker_threads').workerData;\n${source}`, { eval: true, workerData: init });
    worker.unref(); // an idle pool never keeps the process alive
    return worker;
  }, threads);
}

try {
  const spin = cpuSpinMicros();
  if (spin !== undefined) setCpuSpinMicros(spin);
} catch (e) {
  recordEnvironmentError(e);
}
try {
  installNodeCpuThreads();
} catch (e) {
  recordEnvironmentError(e);
  installNodeCpuThreads(availableParallelism());
}
