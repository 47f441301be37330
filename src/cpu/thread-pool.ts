// A fork-join pool of workers that share the kernels' WebAssembly memory. A job is, per thread, a
// list of kernel calls (export name and numeric arguments); the calling thread runs its own list,
// then blocks (Atomics.wait) until every worker has run its list. Workers are made by a factory the
// platform installs (src/node/cpu-threads.ts: worker_threads); without one, or without shared
// memory, the kernels run on the calling thread alone. Browsers allow Atomics.wait only off the
// main thread, so a page uses the pool from a worker of its own.
import { ExecutionError } from '../errors.js';

/** Starts one worker running `source` (JavaScript: a script whose `init` is the posted data). */
export type CpuWorkerFactory = (source: string, init: WorkerInit) => { terminate(): unknown };

/** What a worker is started with. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** [0] generation, [1] workers still running, [2] failures, [3] workers ready. */
  control: Int32Array;
  /** Per worker SLOT floats: call count, then per call (export index, argument count, arguments…). */
  calls: Float64Array;
  index: number;
  names: readonly string[];
}

const SLOT = 256;
const GEN = 0;
const RUNNING = 1;
const FAILED = 2;
const READY = 3;

/** The worker's loop, as source: the same text runs under worker_threads and in a Web Worker. */
export const WORKER_MAIN = `function cpuWorkerMain(init) {
  const { module, memory, control, calls, index, names } = init;
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((n) => exports[n]);
  Atomics.add(control, ${READY}, 1);
  let gen = 0;
  for (;;) {
    Atomics.wait(control, ${GEN}, gen);
    gen = Atomics.load(control, ${GEN});
    if (gen < 0) return;
    try {
      let at = index * ${SLOT};
      const count = calls[at++];
      for (let c = 0; c < count; c++) {
        const f = fns[calls[at]];
        const n = calls[at + 1];
        f(...calls.subarray(at + 2, at + 2 + n));
        at += 2 + n;
      }
    } catch {
      Atomics.add(control, ${FAILED}, 1);
    }
    if (Atomics.sub(control, ${RUNNING}, 1) === 1) Atomics.notify(control, ${RUNNING});
  }
}`;

/** One kernel call: an export of the kernels and its arguments. */
export type KernelCall = readonly [name: string, args: readonly number[]];

export class CpuThreadPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(16));
  private readonly calls: Float64Array;
  private readonly workers: { terminate(): unknown }[] = [];

  /** `threads` counts the calling thread: threads − 1 workers are started. */
  constructor(
    readonly threads: number, private readonly names: readonly string[], module: WebAssembly.Module,
    memory: WebAssembly.Memory, factory: CpuWorkerFactory,
  ) {
    this.calls = new Float64Array(new SharedArrayBuffer(8 * SLOT * Math.max(1, threads)));
    for (let index = 1; index < threads; index++) {
      const init: WorkerInit = { module, memory, control: this.control, calls: this.calls, index, names };
      this.workers.push(factory(`${WORKER_MAIN}\ncpuWorkerMain(init);`, init));
    }
  }

  /** Resolves when every worker has instantiated the kernels (or after `timeoutMs`: false). */
  async ready(timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Atomics.load(this.control, READY) < this.workers.length) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 2));
    }
    return true;
  }

  /**
   * Runs `perThread[t]` on thread t (0: the caller, through `runHere`) and returns when all are
   * done. Lists past the pool's size are refused; missing ones are empty.
   */
  run(perThread: readonly (readonly KernelCall[])[], runHere: (calls: readonly KernelCall[]) => void): void {
    if (perThread.length > this.threads) throw new ExecutionError(`a job for ${perThread.length} threads on a pool of ${this.threads}`);
    const workers = this.workers.length;
    for (let w = 1; w <= workers; w++) this.write(w, perThread[w] ?? []);
    Atomics.store(this.control, FAILED, 0);
    Atomics.store(this.control, RUNNING, workers);
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    runHere(perThread[0] ?? []);
    for (let left = Atomics.load(this.control, RUNNING); left !== 0; left = Atomics.load(this.control, RUNNING)) {
      Atomics.wait(this.control, RUNNING, left, 1000);
    }
    if (Atomics.load(this.control, FAILED) !== 0) throw new ExecutionError('a CPU kernel failed in a worker thread');
  }

  private write(w: number, list: readonly KernelCall[]): void {
    let at = w * SLOT;
    this.calls[at++] = list.length;
    for (const [name, args] of list) {
      const f = this.names.indexOf(name);
      if (f < 0 || at + 2 + args.length > (w + 1) * SLOT) throw new ExecutionError(`kernel call '${name}' does not fit the worker's slot`);
      this.calls[at++] = f;
      this.calls[at++] = args.length;
      this.calls.set(args, at);
      at += args.length;
    }
  }

  /** Stops the workers (they are blocked in Atomics.wait: a negative generation ends their loop). */
  dispose(): void {
    Atomics.store(this.control, GEN, -1);
    Atomics.notify(this.control, GEN);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
