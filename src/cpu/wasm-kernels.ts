// The WebAssembly SIMD kernels (src/cpu/assembly/, compiled into kernels.wasm.ts) and their memory.
// The memory holds two kinds of room:
// * persistent blocks (`reserve`): packed weights, an engine's activation arena; they survive
//   `reset()` until released. Free gaps between them are reused first-fit.
// * the per-call arena (`alloc`/`put`): operands, outputs and scratch of one call, bumped upward
//   from just above the highest persistent block; `reset()` frees it all, `rewind(mark())` frees
//   what came after the mark.
// A block reserved while a call is live goes above the arena's top, so neither moves. The memory
// only grows (addresses stay valid; `floats()` renews its view).
import { kernelBinary } from './kernel-binaries.js';
import { ExecutionError } from '../errors.js';
import { resolveLocal } from './pool-claims.js';
import { CpuThreadPool, type CpuWorkerFactory, type KernelCall } from './thread-pool.js';

/** The kernels' exports (byte addresses; sizes in elements; `ep`: an epilogue descriptor, epilogue.ts). */
export interface KernelExports {
  gemm(
    m: number, n: number, k: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number,
    c: number, ldc: number, accumulate: number, alpha: number, scratch: number,
  ): void;
  gemmEx(
    m: number, n: number, k: number, a: number, ars: number, acs: number, aPacked: number, b: number, brs: number, bcs: number,
    bPacked: number, c: number, ldc: number, accumulate: number, alpha: number, scratch: number, ep: number,
  ): void;
  gemmScratchFloats(): number;
  packAPanels(a: number, ars: number, acs: number, m: number, k: number, alpha: number, out: number): void;
  packBPanels(b: number, brs: number, bcs: number, k: number, n: number, out: number): void;
  packedAFloats(m: number, k: number): number;
  packedBFloats(k: number, n: number): number;
  im2col2d(
    x: number, channels: number, ih: number, iw: number, kh: number, kw: number, sh: number, sw: number,
    dh: number, dw: number, ph: number, pw: number, oh: number, ow: number, col: number,
  ): void;
  im2colPacked(
    x: number, channels: number, k0: number, K: number, ih: number, iw: number, kh: number, kw: number, sh: number, sw: number,
    dh: number, dw: number, ph: number, pw: number, oh: number, ow: number, out: number, row: number,
  ): void;
  depthwise2d(
    x: number, w: number, bias: number, hasBias: number, y: number, n: number, channels: number, mult: number,
    ih: number, iw: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    ph: number, pw: number, oh: number, ow: number, oy0: number, rows: number, scratch: number, ep: number,
  ): void;
  depthwiseScratchFloats(oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number): number;
  gemvPackedA(a: number, mPad: number, k: number, r0: number, rows: number, x: number, y: number, ep: number): void;
  conv1x1Direct(
    a: number, mPad: number, m: number, k: number, r0: number, rows: number, x: number, ldx: number, j0: number, cols: number, P: number,
    y: number, bias: number, res: number, act: number, p0: number, p1: number, scratch: number,
  ): void;
  conv1x1ScratchFloats(k: number): number;
  convChunks(
    x: number, channels: number, ih: number, iw: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    ph: number, pw: number, oh: number, ow: number, a: number, mPad: number, m: number, j0: number, cols: number,
    y: number, bias: number, res: number, act: number, p0: number, p1: number, buf: number, scratch: number,
  ): void;
  convChunkFloats(k: number): number;
  maxPool2d(
    x: number, y: number, planes: number, ih: number, iw: number, kh: number, kw: number, sh: number, sw: number,
    dh: number, dw: number, ph: number, pw: number, oh: number, ow: number, scratch: number,
  ): void;
  avgPool2d(
    x: number, y: number, planes: number, ih: number, iw: number, kh: number, kw: number, sh: number, sw: number,
    dh: number, dw: number, ph: number, pw: number, oh: number, ow: number, rowScale: number, colScale: number, scratch: number,
  ): void;
  globalPool(x: number, y: number, planes: number, size: number, isMax: number): void;
  poolScratchFloats(oh: number, ow: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number): number;
  activation(x: number, y: number, count: number, act: number, p0: number, p1: number): void;
  epilogueBlock(c: number, ldc: number, rows: number, cols: number, i0: number, j0: number, off: number, ep: number): void;
  softmaxRows(x: number, y: number, rows: number, cols: number, log: number): void;
  layerNormRows(x: number, res: number, sum: number, y: number, rows: number, cols: number, gamma: number, beta: number, eps: number): void;
  addMaskRows(s: number, rows: number, cols: number, mask: number, mrs: number, mcs: number, factor: number): void;
  softmaxRowsCausal(x: number, rows: number, cols: number, offset: number): void;
  binary(op: number, a: number, b: number, y: number, outer: number, mid: number, inner: number, mode: number, swap: number): void;
  channelAffine(x: number, y: number, n: number, channels: number, plane: number, scale: number, shift: number, ep: number): void;
  winogradPadFloats(th: number, twp: number): number;
  winogradXiFloats(rows: number, tiles: number): number;
  winogradGemms(xi0: number, count: number, m: number, r0: number, rows: number, tiles: number, c: number, u: number, uBytes: number, mPad: number, v: number, mOut: number, scratch: number): void;
  winogradInput(x: number, c0: number, cc: number, channels: number, ih: number, iw: number, ph: number, pw: number, th: number, twp: number, v: number, pad: number): void;
  winogradOutput(m: number, m0: number, mc: number, outChannels: number, th: number, twp: number, y: number, oh: number, ow: number, plane: number, ep: number): void;
  winograd4PadFloats(th: number, twp: number): number;
  winograd4Input(x: number, c0: number, cc: number, channels: number, ih: number, iw: number, ph: number, pw: number, th: number, twp: number, v: number, pad: number): void;
  winograd4Output(m: number, m0: number, mc: number, outChannels: number, th: number, twp: number, y: number, oh: number, ow: number, plane: number, ep: number, tmp: number): void;
}

const PAGE = 65536;
/** Byte 0 is never handed out, so that address 0 can mean "none". */
const FIRST = 64;

/** Bytes a request for `floats` floats takes: 16 bytes of slack for vector over-reads, 64-aligned. */
function roundBytes(floats: number): number {
  return Math.ceil((floats * 4 + 16) / 64) * 64;
}

/** A persistent block of the kernels' memory; `release()` gives it back (twice is harmless). */
export interface ReservedBlock {
  /** Byte address of the first float. */
  readonly at: number;
  /** Floats asked for. */
  readonly floats: number;
  release(): void;
}

/** One instance of the kernels with its memory: persistent blocks and a bump arena beside them. */
export class WasmKernels {
  /** The arena's next free byte. */
  private top = FIRST;
  /** Where the current call's arena began (persistent blocks may reuse gaps below it). */
  private base = FIRST;
  /** Live persistent blocks as [at, end) byte ranges, sorted by address. */
  private readonly blocks: { at: number; end: number }[] = [];
  private view: Float32Array;
  private intView: Int32Array;

  constructor(readonly k: KernelExports, readonly memory: WebAssembly.Memory, private readonly pool?: CpuThreadPool) {
    this.view = new Float32Array(memory.buffer);
    this.intView = new Int32Array(memory.buffer);
  }

  /** Threads that `run` spreads work over (1: the calling thread alone). */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /**
   * Runs the lists on the pool (CpuThreadPool.run: list t on thread t, finer lists in blocks), or
   * every list in turn on this thread without one. `locals[k][t]`: the value of threadLocal(k) on
   * thread t (its scratch areas).
   */
  run(perThread: readonly (readonly KernelCall[])[], locals?: readonly (readonly number[])[]): void {
    const here = (calls: readonly KernelCall[]) => {
      const fns = this.k as unknown as Record<string, (...args: number[]) => void>;
      for (const [name, args] of calls) fns[name]!(...(locals ? args.map((v) => resolveLocal(v, locals, 0)) : args));
    };
    if (this.pool && perThread.length > 1) this.pool.run(perThread, here, locals);
    else for (const calls of perThread) here(calls);
  }

  /** Keeps the pool's threads spinning between jobs until release() (CpuThreadPool.hold); nothing without a pool. */
  hold(): void {
    this.pool?.hold();
  }

  /** Ends a hold(). */
  release(): void {
    this.pool?.release();
  }

  /** Starts a call: everything the arena allocated before is free again (persistent blocks stay). */
  reset(): this {
    this.base = this.top = this.floor();
    return this;
  }

  /** The arena's top now, for `rewind`. */
  mark(): number {
    return this.top;
  }

  /** Frees what the arena allocated after `mark` (blocks reserved meanwhile stay, and so does the room under them). */
  rewind(mark: number): void {
    this.top = Math.max(mark, this.floor());
  }

  /** Room for `floats` floats, 64-byte aligned, plus 16 bytes of slack for vector over-reads. */
  alloc(floats: number): number {
    const at = this.top;
    this.ensure(at + roundBytes(floats));
    this.top = at + roundBytes(floats);
    return at;
  }

  /**
   * A persistent block of `floats` floats (64-byte aligned, with slack): it survives reset() until
   * released. Reuses the first free gap below the current arena, else goes above the arena's top.
   */
  reserve(floats: number): ReservedBlock {
    if (!(floats >= 0) || !Number.isFinite(floats)) throw new ExecutionError(`cannot reserve ${floats} floats of CPU kernel memory`);
    const bytes = roundBytes(floats);
    // with an arena in use, only gaps below it are free; with none, everything past the blocks is
    const idle = this.top === this.base;
    const limit = idle ? Infinity : this.base;
    let at = -1;
    let index = 0;
    let prev = FIRST;
    for (; index <= this.blocks.length; index++) {
      const next = Math.min(this.blocks[index]?.at ?? Infinity, limit);
      if (prev + bytes <= next) {
        at = prev;
        break;
      }
      if (index < this.blocks.length) prev = Math.max(prev, this.blocks[index]!.end);
      if (prev >= limit) break;
    }
    const above = at < 0;
    if (above) {
      at = this.top; // above every block and the live arena; the arena continues after it
      index = this.blocks.length;
    }
    this.ensure(at + bytes);
    if (above) this.top = at + bytes;
    const range = { at, end: at + bytes };
    this.blocks.splice(index, 0, range);
    if (idle) this.base = this.top = this.floor();
    let live = true;
    return {
      at, floats,
      release: () => {
        if (!live) return;
        live = false;
        this.blocks.splice(this.blocks.indexOf(range), 1);
      },
    };
  }

  /** Bytes held by live persistent blocks (for tests and reports). */
  reservedBytes(): number {
    return this.blocks.reduce((sum, b) => sum + b.end - b.at, 0);
  }

  /** The end of the highest live block: where a fresh arena starts. */
  private floor(): number {
    return this.blocks.length ? this.blocks[this.blocks.length - 1]!.end : FIRST;
  }

  /** Grows the memory to hold byte `end`. */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (cause) {
      throw new ExecutionError(`the CPU kernels' memory cannot grow to ${Math.ceil(end / 2 ** 20)} MiB`, {
        hint: 'WebAssembly memory stops at 4 GiB: run smaller inputs, or cpuKernels \'reference\'', cause,
      });
    }
  }

  /** Copies `data` into the arena; returns its address. */
  put(data: Float32Array): number {
    const at = this.alloc(data.length);
    this.floats().set(data, at / 4);
    return at;
  }

  /** A float view of the whole memory (renewed when the memory has grown). */
  floats(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** An int32 view of the whole memory (for epilogue descriptors). */
  ints(): Int32Array {
    if (this.intView.buffer !== this.memory.buffer) this.intView = new Int32Array(this.memory.buffer);
    return this.intView;
  }

  /** A copy of `count` floats at `at`. */
  read(at: number, count: number): Float32Array {
    return this.floats().slice(at / 4, at / 4 + count);
  }
}

let compiled: WebAssembly.Module | null | undefined;
let single: WasmKernels | undefined;
let threaded: WasmKernels | undefined;
let threadSetup: { factory: CpuWorkerFactory; threads: number } | undefined;
/** Pages the shared memory may grow to: the maximum the shared build declares (4 GiB). */
const SHARED_MAX_PAGES = 65536;

/**
 * Lets the fast kernels spread work over `threads` threads (the caller and threads − 1 workers made
 * by `factory`), from the next prepareWasmKernels() on. Node: src/node/cpu-threads.ts.
 */
export function installCpuThreads(factory: CpuWorkerFactory, threads: number): void {
  threadSetup = threads > 1 ? { factory, threads } : undefined;
}

/** Starts the thread pool once, where threads are installed and memory can be shared. */
async function startThreads(): Promise<void> {
  if (threaded || !threadSetup || typeof SharedArrayBuffer === 'undefined') return;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return;
  try {
    const bytes = kernelBinary('shared');
    if (!bytes) return;
    const mod = await WebAssembly.compile(bytes);
    const memory = new WebAssembly.Memory({ initial: 64, maximum: SHARED_MAX_PAGES, shared: true });
    const instance = await WebAssembly.instantiate(mod, { env: { memory } });
    const names = WebAssembly.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
    const pool = new CpuThreadPool(threadSetup.threads, names, mod, memory, threadSetup.factory);
    if (!(await pool.ready())) {
      pool.dispose();
      return;
    }
    threaded = new WasmKernels(instance.exports as unknown as KernelExports, memory, pool);
  } catch {
    threaded = undefined; // no shared memory or workers here: single-threaded
  }
}

function moduleSync(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = kernelBinary('private');
    compiled = bytes ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null; // no WebAssembly SIMD, or a page that forbids compiling synchronously
  }
  return compiled;
}

/**
 * Compiles the kernels ahead (asynchronously, as browsers want for modules over 4 KB on the main
 * thread). Resolves to whether the fast kernels can run here.
 */
export async function prepareWasmKernels(): Promise<boolean> {
  await startThreads();
  if (compiled === undefined) {
    try {
      const bytes = kernelBinary('private');
      compiled = bytes ? await WebAssembly.compile(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled !== null;
}

/** The kernels instances made so far (single-threaded and threaded). */
export function kernelInstances(): WasmKernels[] {
  return [single, threaded].filter((w): w is WasmKernels => w !== undefined);
}

/** A fresh single-threaded instance with its own memory (tests; a caller wanting private memory). */
export function createWasmKernels(): WasmKernels | undefined {
  const mod = moduleSync();
  if (!mod) return undefined;
  const memory = new WebAssembly.Memory({ initial: 64 });
  return new WasmKernels(new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as KernelExports, memory);
}

/**
 * The kernels: with the thread pool once prepareWasmKernels() has started it, otherwise
 * single-threaded; undefined where WebAssembly SIMD is not available.
 */
export function wasmKernels(): WasmKernels | undefined {
  if (threaded) return threaded;
  single ??= createWasmKernels();
  return single;
}
