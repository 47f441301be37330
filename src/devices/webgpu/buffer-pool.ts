/// <reference types="@webgpu/types" />

/**
 * The size class a request is rounded up to: 256 bytes at least, powers of two up to 1 MiB, then
 * steps of 1/8 of the power of two (at most 12.5% waste for large tensors).
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const pow = 2 ** Math.ceil(Math.log2(bytes));
  if (pow <= 1 << 20) return pow;
  const step = pow / 8;
  return Math.ceil(bytes / step) * step;
}

/**
 * Storage buffers for tensors, reused by size class. `acquire` hands out a free buffer of the
 * request's class or creates one; `release` returns it. Callers pair them (executor plans do it
 * statically, by liveness), so a steady state creates no buffers.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly all = new Set<GPUBuffer>();
  /** Buffers created so far (a counter for tests and stats). */
  created = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const reused = this.free.get(size)?.pop();
    if (reused) return reused;
    // GPUBufferUsage is read here, not at import: in Node, Dawn installs it when first loaded.
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buffer = this.device.createBuffer({ size, usage });
    this.all.add(buffer);
    this.created++;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    if (!this.all.has(buffer)) throw new Error('released a buffer the pool does not own');
    const list = this.free.get(buffer.size);
    if (list) list.push(buffer);
    else this.free.set(buffer.size, [buffer]);
  }

  /** Bytes held by the pool (in use and free). */
  get bytes(): number {
    let n = 0;
    for (const b of this.all) n += b.size;
    return n;
  }

  destroy(): void {
    for (const b of this.all) b.destroy();
    this.all.clear();
    this.free.clear();
  }
}

/**
 * The buffers of one static plan. Bind groups made ahead keep referring to them, so they stay
 * the plan's until it is disposed; inside the plan, a value's buffer is reused by later values
 * once it is dead (liveness), through this set's own free lists.
 */
export class ScheduleBuffers {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly held: GPUBuffer[] = [];

  constructor(private readonly pool: BufferPool) {}

  acquire(bytes: number): GPUBuffer {
    const reused = this.free.get(sizeClass(bytes))?.pop();
    if (reused) return reused;
    const b = this.pool.acquire(bytes);
    this.held.push(b);
    return b;
  }

  release(buffer: GPUBuffer): void {
    const list = this.free.get(buffer.size);
    if (list) list.push(buffer);
    else this.free.set(buffer.size, [buffer]);
  }

  /** Returns every buffer to the device pool (the plan must not run again). */
  dispose(): void {
    for (const b of this.held) this.pool.release(b);
    this.held.length = 0;
    this.free.clear();
  }
}
