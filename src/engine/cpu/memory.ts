// The memory a CPU engine runs in: its own instance of the WebAssembly SIMD kernels (src/cpu/)
// with a private linear memory, so that the activation arena, the packed weights and the scratch
// stay put between runs (the framework's fast kernels reset their shared arena on every call).
// Everything is allocated once at load; a run only copies the engine's inputs in and outputs out.
// Without WebAssembly SIMD the same byte addresses index a growable ArrayBuffer and the layers
// run their plain JavaScript executors.
import { CPU_KERNELS_PRIVATE_BASE64 } from '../../cpu/kernels.wasm.js';
import { decodeBase64, WasmKernels, type KernelExports } from '../../cpu/wasm-kernels.js';

const PAGE = 65536;
/** Address 0 is never handed out (0 means "none" to the kernels). */
const FIRST = 64;

let compiled: WebAssembly.Module | null | undefined;

/** The kernels' module, compiled once; null where WebAssembly SIMD is missing. */
function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = decodeBase64(CPU_KERNELS_PRIVATE_BASE64);
    compiled = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Whether the engine's layers can use the WebAssembly SIMD kernels here. */
export function cpuEngineHasWasm(): boolean {
  return kernelModule() !== null;
}

export class EngineMemory {
  private top = FIRST;
  private view: Float32Array;
  private buffer: ArrayBuffer;

  private constructor(readonly wasm: WasmKernels | undefined, buffer: ArrayBuffer) {
    this.buffer = buffer;
    this.view = new Float32Array(buffer);
  }

  /** A fresh memory: with the kernels when WebAssembly SIMD is here (and `useWasm`), else plain. */
  static create(useWasm = true): EngineMemory {
    const mod = useWasm ? kernelModule() : null;
    if (!mod) return new EngineMemory(undefined, new ArrayBuffer(PAGE));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(mod, { env: { memory } });
    return new EngineMemory(new WasmKernels(instance.exports as unknown as KernelExports, memory), memory.buffer);
  }

  /** The kernels' exports (only where `wasm` is set). */
  get k(): KernelExports {
    if (!this.wasm) throw new Error('the CPU engine memory has no WebAssembly kernels');
    return this.wasm.k;
  }

  /** Bytes in use. */
  get bytes(): number {
    return this.top;
  }

  /** `bytes` of persistent memory, 64-byte aligned, with 64 bytes of slack for vector over-reads. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes + 64) / 64) * 64;
    if (this.wasm) {
      const memory = this.wasm.memory;
      const have = memory.buffer.byteLength;
      if (this.top > have) memory.grow(Math.ceil((this.top - have) / PAGE));
      this.buffer = memory.buffer as ArrayBuffer;
    } else if (this.top > this.buffer.byteLength) {
      const grown = new ArrayBuffer(Math.max(this.top, this.buffer.byteLength * 2));
      new Uint8Array(grown).set(new Uint8Array(this.buffer));
      this.buffer = grown;
    }
    return at;
  }

  private gemmAt = 0;

  /** The GEMM's packing scratch, allocated on first use and shared by every layer (runs are sequential). */
  gemmScratch(): number {
    if (!this.gemmAt) this.gemmAt = this.alloc(this.k.gemmScratchFloats() * 4);
    return this.gemmAt;
  }

  /** Copies `data` into fresh persistent memory; returns its address. */
  put(data: Float32Array): number {
    const at = this.alloc(data.length * 4);
    this.f32().set(data, at / 4);
    return at;
  }

  /** A float view of the whole memory (renewed after growth; addresses / 4 index it). */
  f32(): Float32Array {
    const buffer = this.wasm ? (this.wasm.memory.buffer as ArrayBuffer) : this.buffer;
    if (this.view.buffer !== buffer) this.view = new Float32Array(buffer);
    return this.view;
  }
}
