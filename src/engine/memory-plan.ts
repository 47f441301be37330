// The engine's memory plan: every intermediate value gets an offset in one arena buffer, and two
// values share bytes only when they are never live at the same step. Greedy by size (largest
// first, each at the lowest offset where it fits next to the values it overlaps in time), the
// usual heuristic for this NP-hard packing problem; it is deterministic for a given input.
import { GraphError } from '../errors.js';

export interface LiveValue {
  /** Unique name (a tensor or `layer#scratch` id). */
  id: string;
  bytes: number;
  /** First and last step (layer index) at which the value is live, inclusive. */
  first: number;
  last: number;
}

export interface MemoryPlan {
  /** Byte offset of each value in the arena; every one a multiple of the alignment. */
  offsets: Map<string, number>;
  /** Size the arena must have (a multiple of the alignment). */
  arenaBytes: number;
  /** What one region per value would need: the sum of the aligned sizes. */
  naiveBytes: number;
}

/** The bytes a value binds: its size rounded up to 4 (WebGPU binding sizes), at least 4. */
export function bindingBytes(bytes: number): number {
  return Math.max(4, roundUp(bytes, 4));
}

/**
 * Liveness-based offsets for `values` in one arena. `alignment` is the adapter's
 * minStorageBufferOffsetAlignment (256 on most devices): every offset is a multiple of it.
 * Since offsets are aligned, a value effectively takes its binding size rounded up to the
 * alignment (the next value cannot start any earlier), so that is the size used for packing.
 */
export function planMemory(values: readonly LiveValue[], alignment: number): MemoryPlan {
  if (!Number.isInteger(alignment) || alignment <= 0) {
    throw new GraphError(`memory plan: alignment must be a positive integer, got ${alignment}`);
  }
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v.id)) throw new GraphError('memory plan: duplicate value id', { where: v.id });
    seen.add(v.id);
    if (!Number.isInteger(v.bytes) || v.bytes < 0) {
      throw new GraphError(`memory plan: size must be a non-negative integer, got ${v.bytes}`, { where: v.id });
    }
    if (!Number.isInteger(v.first) || !Number.isInteger(v.last) || v.first > v.last) {
      throw new GraphError(`memory plan: live range [${v.first}, ${v.last}] is not a step range`, { where: v.id });
    }
  }

  const slot = (v: LiveValue) => roundUp(bindingBytes(v.bytes), alignment);
  // largest first; ties by earliest start, then by id, so the plan never depends on input order
  const order = [...values].sort(
    (a, b) => slot(b) - slot(a) || a.first - b.first || a.last - b.last || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );

  const placed: { v: LiveValue; offset: number; size: number }[] = [];
  const offsets = new Map<string, number>();
  let arenaBytes = 0;
  let naiveBytes = 0;
  for (const v of order) {
    const size = slot(v);
    naiveBytes += size;
    // the regions already placed that are live at some step of v's range, lowest offset first
    const busy = placed.filter((p) => p.v.first <= v.last && v.first <= p.v.last).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of busy) {
      if (offset + size <= p.offset) break; // fits in the gap below p
      offset = Math.max(offset, p.offset + p.size);
    }
    placed.push({ v, offset, size });
    offsets.set(v.id, offset);
    arenaBytes = Math.max(arenaBytes, offset + size);
  }
  return { offsets, arenaBytes, naiveBytes };
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}
