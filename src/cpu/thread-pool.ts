// A fork-join pool of workers that share the kernels' WebAssembly memory. A job is a few lists of
// kernel calls (export name and numeric arguments). With no more lists than threads list t
// belongs to thread t (the caller is thread 0); big layers split finer, each thread owning a
// contiguous block of lists. The kernels split every layer the same way (a thread gets the same
// share of positions or channels layer after layer), so a thread mostly reads what it wrote
// itself, from its own core's caches. A thread done with its own lists takes the others' not yet
// started, from the end of each block (listOrder): a worker that wakes late (a busy machine) costs
// nothing, and a core that runs slower (virtual CPUs sharing a physical core with other work:
// measured here, one of two threads of a GEMM 15-40% behind the other) hands its last lists on
// (pool-claims.ts). Waking a thread blocked in Atomics.wait costs tens of microseconds (a futex
// wake, across virtual CPUs an interrupt), twice a job (the worker, then the caller): more than a
// small layer's work. So both sides first spin a bounded while (the spin time, 150 µs unless
// setCpuSpinMicros says otherwise; the clock is re-read every few hundred loads) before they
// block: back-to-back layers find the other thread awake, and an idle runtime spins at most that
// long after its last job, then sleeps (no core burnt when idle).
// Spinning pays on a machine with a core per thread; where other work takes the cores (another
// process, other virtual machines on the host) a spinning thread takes the time slice another
// needs, and costs more than it saves. So a spin that sees the clock jump between reads
// (PREEMPTED_MS: its thread lost its core for a scheduler's time slice), or a caller that waited
// over CONTENDED_MS for a worker's list, is a strike; two strikes close together stop every
// thread's spinning for a while (a shared deadline, pool-backoff.ts). One strike alone is not enough: a
// virtual machine's vCPU loses its core now and then even when the machine is idle (measured on
// the project's 2-vCPU VM: ~1.3 gaps over 0.5 ms a second when quiet, one every ~15 ms with
// three busy threads on its two cores; the former single-gap rule at 30 µs kept spinning off
// nearly all the time there, and every fork paid a futex wake). A worker whose recent waits were
// long (the caller runs single-threaded layers, or nothing) spins only an eighth of the spin time.
// setCpuSpinMicros(0) turns spinning off.
// Workers are made by a factory the platform installs (src/node/cpu-threads.ts: worker_threads);
// without one, or without shared memory, the kernels run on the calling thread alone. Browsers
// allow Atomics.wait only off the main thread, so a page uses the pool from a worker of its own.
import { ExecutionError } from '../errors.js';
import { BACKOFF_POLICY, BACKOFF_STATE_FLOATS, strikeAt } from './pool-backoff.js';
import { GENERATIONS, listOrder, LOCAL_MARK, MAX_LISTS_PER_THREAD, MAX_LOCALS, OLDER, olderClaim } from './pool-claims.js';


/** Starts one worker running `source` (JavaScript: a script whose `init` is the posted data). */
export type CpuWorkerFactory = (source: string, init: WorkerInit) => { terminate(): unknown };

/** What a worker is started with. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** [0] generation, [1] lists done, [2] failures, [3] workers ready, [4] unused, [5] lists, [6] spin µs, [7] holds. */
  control: Int32Array;
  /** Per list SLOT floats: call count, then per call (export index, argument count, arguments…). */
  calls: Float64Array;
  /** Per job, the thread-local argument values: slot k of thread t at k · threads + t (LOCAL_MARK). */
  locals: Float64Array;
  /** Per list, the job (generation) that last claimed it: claiming is a compare-exchange to the current one. */
  claims: Int32Array;
  /** [0]: the time (Date.now()) until which no thread spins; [1]: how many times that was set (about); [2]: the time of the last strike. */
  quiet: Float64Array;
  index: number;
  /** Threads of the pool, the caller included. */
  threads: number;
  names: readonly string[];
}

const SLOT = 1024;
/** Arguments one kernel call may have. */
const MAX_ARGS = 64;
const GEN = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
// control slot 4 is unused (lists are claimed in WorkerInit.claims)
const LISTS = 5;
const SPIN = 6;
/** How many runs hold the pool (hold()): while any does, threads spin between jobs without a time limit. */
const HOLD = 7;
/**
 * Microseconds a thread spins for the next job (a worker) or for the last list (the caller) before
 * it blocks: longer than the gaps between the parallel layers of a run (a few small
 * single-threaded layers), short enough that a spin that finds nothing wastes little of a core.
 */
let spinMicros = 150;

/** Sets the spin time of pools started from now on (0: block at once, as a shared machine wants); returns the old one. */
export function setCpuSpinMicros(micros: number): number {
  if (!(micros >= 0 && micros <= 100_000)) throw new ExecutionError(`the CPU pool's spin time must be 0 to 100000 µs, got ${micros}`);
  const old = spinMicros;
  spinMicros = micros;
  return old;
}
/** A gap between two clock reads of a spin (a few hundred loads) that means the thread was preempted. */
const PREEMPTED_MS = 0.5;
/** A caller's wait for a worker's list past which the machine is taken to be short of cores. */
const CONTENDED_MS = 1;



/** The worker's loop, as source: the same text runs under worker_threads and in a Web Worker. */
export const WORKER_MAIN = `function cpuWorkerMain(init) {
  const { module, memory, control, calls, locals, claims, quiet, index, threads, names } = init;
  const listOrder = ${listOrder.toString()};
  const strikeAt = ${strikeAt.toString()};
  const backoff = ${JSON.stringify(BACKOFF_POLICY)};
  const older = ${OLDER};
  // claim orders by list count, made once
  const orders = [];
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((n) => exports[n]);
  // one argument array per count, reused: no allocation per call
  const argv = Array.from({ length: ${MAX_ARGS} + 1 }, (_, n) => new Array(n).fill(0));
  Atomics.add(control, ${READY}, 1);
  const clock = typeof performance === 'object' ? () => performance.now() : () => Date.now();
  let gen = 0;
  const spinMs = Atomics.load(control, ${SPIN}) / 1000;
  // how long to spin: spinMs while the gaps between jobs are short (their running mean), a short
  // probe while they are long
  let budget = spinMs;
  let gaps = 0;
  for (;;) {
    let next = Atomics.load(control, ${GEN});
    if (next === gen && (budget === 0 || Date.now() < quiet[0])) {
      Atomics.wait(control, ${GEN}, gen);
      next = Atomics.load(control, ${GEN});
    } else if (next === gen) {
      const start = clock();
      let last = start;
      for (let i = 1; (next = Atomics.load(control, ${GEN})) === gen; i++) {
        if ((i & 255) !== 0) continue;
        const now = clock();
        if (now - last > ${PREEMPTED_MS}) strikeAt(quiet, Date.now(), backoff);
        if ((now - start > budget && Atomics.load(control, ${HOLD}) === 0) || now - last > ${PREEMPTED_MS}) {
          Atomics.wait(control, ${GEN}, gen);
          next = Atomics.load(control, ${GEN});
          break;
        }
        last = now;
      }
      gaps = 0.75 * gaps + 0.25 * (clock() - start);
      budget = gaps <= spinMs / 2 ? spinMs : spinMs / 8;
    }
    gen = next;
    if (gen < 0) return;
    // this worker's lists, then the others' not yet started; a list the caller took (this worker
    // was late) or that this job lacks (the caller marks those claimed) has a claim word at or past
    // gen, as has every list of a job that is over (this worker woke late for it)
    const lists = Atomics.load(control, ${LISTS});
    for (const list of (orders[lists] ??= listOrder(index, lists, threads))) {
      const v = Atomics.load(claims, list);
      if (!older(v, gen) || Atomics.compareExchange(claims, list, v, gen) !== v) continue;
      try {
        let at = list * ${SLOT};
        const count = calls[at++];
        for (let c = 0; c < count; c++) {
          const f = fns[calls[at]];
          const n = calls[at + 1];
          const args = argv[n];
          for (let j = 0; j < n; j++) {
            const v = calls[at + 2 + j];
            args[j] = v <= ${LOCAL_MARK} ? locals[(${LOCAL_MARK} - v) * threads + index] : v;
          }
          f.apply(undefined, args);
          at += 2 + n;
        }
      } catch {
        Atomics.add(control, ${FAILED}, 1);
      }
      if (Atomics.add(control, ${DONE}, 1) + 1 === Atomics.load(control, ${LISTS})) Atomics.notify(control, ${DONE});
    }
  }
}`;

/** One kernel call: an export of the kernels and its arguments. */
export type KernelCall = readonly [name: string, args: readonly number[]];

export class CpuThreadPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(32));
  private gen = 0;
  private readonly calls: Float64Array;
  private readonly locals: Float64Array;
  /** The caller's claim order by list count (listOrder), made once. */
  private readonly orders: number[][] = [];
  private readonly claims: Int32Array;
  /** Lists one job may have. */
  readonly maxLists: number;
  private readonly workers: { terminate(): unknown }[] = [];
  private readonly index: Map<string, number>;
  private readonly spinMs = spinMicros / 1000;
  private readonly quiet = new Float64Array(new SharedArrayBuffer(8 * BACKOFF_STATE_FLOATS));

  /** How many times a thread paused the pool's spinning (the machine looked short of cores; pool-backoff.ts). */
  get backoffs(): number {
    return this.quiet[1]!;
  }

  /**
   * Marks the start of a run of many jobs (an engine's inference): until the matching release(),
   * threads spin between jobs however long the gap (the layers between forks are short, and a
   * worker that fell asleep costs a futex wake — tens of microseconds, more across virtual CPUs —
   * at the next fork), unless strikes have stopped spinning. Holds nest.
   */
  hold(): void {
    Atomics.add(this.control, HOLD, 1);
  }

  /** Ends a hold(): once none is left, threads spin at most the spin time after their last job. */
  release(): void {
    Atomics.sub(this.control, HOLD, 1);
  }

  /** A sign that the machine is short of cores: two close together pause spinning (pool-backoff.ts). */
  private strike(): void {
    strikeAt(this.quiet, Date.now(), BACKOFF_POLICY);
  }

  /** `threads` counts the calling thread: threads − 1 workers are started. */
  constructor(
    readonly threads: number, names: readonly string[], module: WebAssembly.Module,
    memory: WebAssembly.Memory, factory: CpuWorkerFactory,
  ) {
    this.index = new Map(names.map((n, i) => [n, i]));
    Atomics.store(this.control, SPIN, spinMicros);
    this.maxLists = MAX_LISTS_PER_THREAD * Math.max(1, threads);
    this.calls = new Float64Array(new SharedArrayBuffer(8 * SLOT * this.maxLists));
    this.claims = new Int32Array(new SharedArrayBuffer(4 * this.maxLists));
    this.locals = new Float64Array(new SharedArrayBuffer(8 * MAX_LOCALS * Math.max(1, threads)));
    for (let index = 1; index < threads; index++) {
      const init: WorkerInit = { module, memory, control: this.control, calls: this.calls, locals: this.locals, claims: this.claims, quiet: this.quiet, index, threads, names };
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
   * Runs every list of `perThread` (up to maxLists; the caller's through `runHere`, which resolves
   * thread-local arguments as thread 0's; `locals[k][t]`: slot k's value on thread t) and returns
   * when all are done. With no more lists than threads list t belongs to thread t, with more each
   * thread owns a contiguous block; a thread runs its own, then takes the others' not yet started
   * from the end of each block (listOrder): a late or slower worker's lists go to the threads
   * that are done.
   */
  run(
    perThread: readonly (readonly KernelCall[])[], runHere: (calls: readonly KernelCall[]) => void,
    locals?: readonly (readonly number[])[],
  ): void {
    if (perThread.length > this.maxLists) throw new ExecutionError(`a job of ${perThread.length} lists on a pool that takes ${this.maxLists}`);
    if ((locals?.length ?? 0) > MAX_LOCALS) throw new ExecutionError(`a job of ${locals!.length} thread-local slots on a pool that takes ${MAX_LOCALS}`);
    const c = this.control;
    const lists = perThread.length;
    perThread.forEach((list, i) => this.write(i, list));
    locals?.forEach((values, k) => {
      for (let t = 0; t < this.threads; t++) this.locals[k * this.threads + t] = values[t]!;
    });
    // generations are positive: a list's claim word starts at 0, "claimed by no job"
    this.gen = (this.gen % (GENERATIONS - 1)) + 1;
    const gen = this.gen;
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, LISTS, lists);
    // the lists this job lacks count as claimed, so that no worker runs a slot of another job
    for (let list = lists; list < this.maxLists; list++) Atomics.store(this.claims, list, gen);
    Atomics.store(c, GEN, gen);
    Atomics.notify(c, GEN);
    let failed: unknown;
    for (const list of (this.orders[lists] ??= listOrder(0, lists, this.threads))) {
      const v = Atomics.load(this.claims, list);
      if (!olderClaim(v, gen) || Atomics.compareExchange(this.claims, list, v, gen) !== v) continue;
      try {
        runHere(perThread[list]!);
      } catch (e) {
        failed ??= e;
      }
      Atomics.add(c, DONE, 1);
    }
    // the lists a worker still runs: spin a while (it is likely near its end), then block
    const start = performance.now();
    let last = start;
    let spin = this.spinMs > 0 && Date.now() >= this.quiet[0]!;
    let done = Atomics.load(c, DONE);
    for (let i = 1; done < lists; i++, done = Atomics.load(c, DONE)) {
      if (!spin) Atomics.wait(c, DONE, done, 1000);
      else if ((i & 255) === 0) {
        const now = performance.now();
        if (now - last > PREEMPTED_MS) this.strike();
        spin = (now - start <= this.spinMs || Atomics.load(c, HOLD) > 0) && now - last <= PREEMPTED_MS;
        last = now;
      }
    }
    if (this.spinMs > 0 && performance.now() - start > CONTENDED_MS) this.strike();
    if (failed !== undefined) throw failed;
    if (Atomics.load(c, FAILED) !== 0) throw new ExecutionError('a CPU kernel failed in a worker thread');
  }

  private write(w: number, list: readonly KernelCall[]): void {
    let at = w * SLOT;
    this.calls[at++] = list.length;
    for (const [name, args] of list) {
      const f = this.index.get(name) ?? -1;
      if (f < 0 || args.length > MAX_ARGS || at + 2 + args.length > (w + 1) * SLOT) throw new ExecutionError(`kernel call '${name}' does not fit the worker's slot`);
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
