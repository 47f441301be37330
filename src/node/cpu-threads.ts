// In Node the fast CPU kernels spread heavy work over worker_threads sharing their WebAssembly
// memory: one thread per core by default, NNRT_CPU_THREADS=N to choose (1: single-threaded).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { installCpuThreads } from '../cpu/wasm-kernels.js';

/** Threads for the CPU kernels: NNRT_CPU_THREADS when set, else the cores Node sees. */
export function cpuThreadCount(env: string | undefined = process.env.NNRT_CPU_THREADS): number {
  if (env === undefined || env === '') return availableParallelism();
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`NNRT_CPU_THREADS must be a positive integer, got '${env}'`);
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

installNodeCpuThreads();
