// The memory a CPU engine runs in: persistent blocks (`reserve`) of the WebAssembly SIMD kernels'
// memory (src/cpu/), the shared instance with its thread pool where one is running, so that the
// activation arena and the packed weights stay put between runs while the framework's fast kernels
// keep using the per-call arena beside them. Everything is reserved at load; a run only copies
// the engine's inputs in and outputs out. Without WebAssembly SIMD the same byte addresses index a
// growable ArrayBuffer and the layers run their plain JavaScript executors.
import { wasmKernels, type ReservedBlock, type WasmKernels } from '../../cpu/wasm-kernels.js';

const PAGE = 65536;
/** Address 0 is never handed out (0 means "none" to the kernels). */
const FIRST = 64;

/** Whether the engine's layers can use the WebAssembly SIMD kernels here. */
export function cpuEngineHasWasm(): boolean {
  return wasmKernels() !== undefined;
}

export class EngineMemory {
  private top = FIRST;
  private view: Float32Array;
  private buffer: ArrayBuffer;
  private readonly blocks: ReservedBlock[] = [];
  private reservedBytes = 0;

  private constructor(readonly wasm: WasmKernels | undefined) {
    this.buffer = new ArrayBuffer(wasm ? 0 : PAGE);
    this.view = new Float32Array(this.buffer);
  }

  /** A memory over the kernels when WebAssembly SIMD is here (and `useWasm`), else a plain buffer. */
  static create(useWasm = true): EngineMemory {
    return new EngineMemory(useWasm ? wasmKernels() : undefined);
  }

  /** The kernels (only where `wasm` is set). */
  get kernels(): WasmKernels {
    if (!this.wasm) throw new Error('the CPU engine memory has no WebAssembly kernels');
    return this.wasm;
  }

  /** Bytes this engine holds. */
  get bytes(): number {
    return this.wasm ? this.reservedBytes : this.top;
  }

  /** `bytes` of persistent memory, 64-byte aligned, with slack for vector over-reads. */
  alloc(bytes: number): number {
    if (this.wasm) {
      const block = this.wasm.reserve(Math.ceil(bytes / 4));
      this.blocks.push(block);
      this.reservedBytes += block.floats * 4;
      return block.at;
    }
    const at = this.top;
    this.top = Math.ceil((at + bytes + 64) / 64) * 64;
    if (this.top > this.buffer.byteLength) {
      const grown = new ArrayBuffer(Math.max(this.top, this.buffer.byteLength * 2));
      new Uint8Array(grown).set(new Uint8Array(this.buffer));
      this.buffer = grown;
    }
    return at;
  }

  /** Keeps a block reserved elsewhere (packed weights) until this memory is released. */
  hold(block: ReservedBlock | undefined): void {
    if (block) {
      this.blocks.push(block);
      this.reservedBytes += block.floats * 4;
    }
  }

  /** Copies `data` into fresh persistent memory; returns its address. */
  put(data: Float32Array): number {
    const at = this.alloc(data.length * 4);
    this.f32().set(data, at / 4);
    return at;
  }

  /** A float view of the whole memory (renewed after growth; addresses / 4 index it). */
  f32(): Float32Array {
    if (this.wasm) return this.wasm.floats();
    if (this.view.buffer !== this.buffer) this.view = new Float32Array(this.buffer);
    return this.view;
  }

  /** Gives every block back to the kernels' memory. */
  release(): void {
    for (const b of this.blocks.splice(0)) b.release();
    this.reservedBytes = 0;
  }
}
