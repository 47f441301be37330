// Which lists of a job a thread of the CPU pool runs, in what order, and how it claims them
// (thread-pool.ts): list ownership and stealing (listOrder), claim words by job generation, and
// the thread-local arguments that let a list run on any thread. Everything the workers need is
// also given as source text, since they run it in a worker of their own.

/**
 * An argument LOCAL_MARK − k stands for slot k of the job's thread-local values, read by each
 * thread as its own (its scratch areas): a list may run on any thread. Far below any address,
 * size or parameter a kernel takes.
 */
export const LOCAL_MARK = -(2 ** 50);
/** Thread-local slots one job may have. */
export const MAX_LOCALS = 8;
/** The argument that each thread reads as its own value of slot k (see CpuThreadPool.run). */
export function threadLocal(k: number): number {
  return LOCAL_MARK - k;
}
/** `v`, or this thread's value of the slot it marks. */
export function resolveLocal(v: number, locals: readonly (readonly number[])[] | undefined, thread: number): number {
  return v <= LOCAL_MARK ? locals![LOCAL_MARK - v]![thread]! : v;
}

/** Generations run 1 .. GENERATIONS − 1, then start again at 1. */
export const GENERATIONS = 0x3fffffff;
/** Whether claim word v is from a job before `gen` (modulo the generations' wrap). */
export function olderClaim(v: number, gen: number): boolean {
  const d = (gen - v + GENERATIONS) % GENERATIONS;
  return d > 0 && d < GENERATIONS / 2;
}
export const OLDER = `((v, gen) => { const d = (gen - v + ${GENERATIONS}) % ${GENERATIONS}; return d > 0 && d < ${GENERATIONS / 2}; })`;

/** Lists a job may have per thread (finer parts let a faster thread take a slower one's last ones). */
export const MAX_LISTS_PER_THREAD = 8;

/**
 * The order in which thread t claims a job's lists: its own first (with no more lists than
 * threads, list t; with more, the t-th contiguous block of them, in order), then the other
 * threads' from the end of each block back, so that a thread that is ahead takes a slower one's
 * last lists and each thread still gets the same part of every layer first. Self-contained: the
 * worker's source embeds it.
 */
export function listOrder(t: number, lists: number, threads: number): number[] {
  // no inner functions: the worker embeds this function's text, and a bundler's helpers (a
  // wrapper naming inner functions) would not exist there
  const order: number[] = [];
  for (let k = 0; k < threads; k++) {
    const u = (t + k) % threads;
    const start = lists <= threads ? Math.min(u, lists) : Math.floor((u * lists) / threads);
    const end = lists <= threads ? Math.min(u + 1, lists) : Math.floor(((u + 1) * lists) / threads);
    if (k === 0) for (let l = start; l < end; l++) order.push(l);
    else for (let l = end - 1; l >= start; l--) order.push(l);
  }
  return order;
}
