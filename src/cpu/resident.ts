// Packed weights kept resident in the kernels' memory between runs. A fast kernel asks for the
// packed form of a constant (an initializer's storage, marked by the session) under a key saying
// how it is packed; the first ask packs into a persistent block, later asks reuse it. A block is
// released when its array is collected (FinalizationRegistry) or the session is disposed
// (releaseResident). Arrays that are not marked constant (activations, feeds a caller may change
// in place) are never cached.
import { kernelInstances, type ReservedBlock, type WasmKernels } from './wasm-kernels.js';

/** Storage arrays of tensors that never change (initializers). */
const constants = new WeakSet<object>();

type Entries = Map<string, { block?: ReservedBlock }>;
/** Per kernels instance (each has its own memory): array → key → packed form. */
const caches = new WeakMap<WasmKernels, WeakMap<object, Entries>>();
const registry = typeof FinalizationRegistry === 'undefined'
  ? undefined
  : new FinalizationRegistry<Entries>((entries) => releaseAll(entries));

function releaseAll(entries: Entries): void {
  for (const e of entries.values()) e.block?.release();
  entries.clear();
}

/** Marks tensors' storage as constant: their packed forms may stay resident. */
export function markConstant(data: Iterable<object>): void {
  for (const d of data) constants.add(d);
}

export function isConstant(data: object): boolean {
  return constants.has(data);
}

/**
 * The packed form of constant `data` under `key`, packed by `pack` (into a persistent block) on
 * the first ask; undefined when `data` is not marked constant (then pack transiently per call).
 */
export function residentPacked<T extends { block?: ReservedBlock }>(wasm: WasmKernels, data: object, key: string, pack: () => T): T | undefined {
  if (!constants.has(data)) return undefined;
  let perArray = caches.get(wasm);
  if (!perArray) caches.set(wasm, (perArray = new WeakMap()));
  let entries = perArray.get(data);
  if (!entries) {
    perArray.set(data, (entries = new Map()));
    registry?.register(data, entries, entries);
  }
  let packed = entries.get(key) as T | undefined;
  if (!packed) entries.set(key, (packed = pack()));
  return packed;
}

/** A persistent copy of constant floats (a bias, scales), or undefined when not constant. */
export function residentCopy(wasm: WasmKernels, data: Float32Array): number | undefined {
  return residentPacked(wasm, data, 'copy', () => {
    const block = wasm.reserve(data.length);
    wasm.floats().set(data, block.at / 4);
    return { block };
  })?.block!.at;
}

/** Releases the resident forms of these arrays (a disposed session's initializers) in every kernels instance. */
export function releaseResident(data: Iterable<object>, instances: Iterable<WasmKernels> = kernelInstances()): void {
  const arrays = [...data];
  for (const wasm of instances) {
    const perArray = caches.get(wasm);
    if (!perArray) continue;
    for (const d of arrays) {
      const entries = perArray.get(d);
      if (!entries) continue;
      releaseAll(entries);
      perArray.delete(d);
      registry?.unregister(entries);
    }
  }
}
