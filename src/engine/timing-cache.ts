// The timing cache (TensorRT's ITimingCache): the fastest tactic measured for each layer
// signature on one adapter, so a second build skips the timing runs. Layers that compile to the
// same kernels (same kind, shapes, formats, attributes) share a signature. Timings say nothing
// about another GPU or another nnrt's kernels, so such entries are dropped when read.
import { ParseError } from '../errors.js';
import { fnv1a64 } from '../ir/hash.js';
import { describeAdapter, type AdapterIdentity } from './plan-format.js';

export const TIMING_CACHE_VERSION = 1;

export interface TimingEntry {
  tactic: string;
  ms: number;
}

export interface TimingCacheIdentity {
  nnrtVersion: string;
  adapter: AdapterIdentity;
}

export class TimingCache {
  private readonly entries = new Map<string, TimingEntry>();

  constructor(readonly identity: TimingCacheIdentity) {}

  get(signature: string): TimingEntry | undefined {
    return this.entries.get(signature);
  }

  set(signature: string, tactic: string, ms: number): void {
    this.entries.set(signature, { tactic, ms });
  }

  get size(): number {
    return this.entries.size;
  }

  /** JSON with a header; entries sorted by signature so equal caches serialize alike. */
  serialize(): Uint8Array {
    const entries: Record<string, TimingEntry> = {};
    for (const sig of [...this.entries.keys()].sort()) entries[sig] = this.entries.get(sig)!;
    const a = this.identity.adapter;
    const file = {
      format: 'nnrt-timing-cache',
      version: TIMING_CACHE_VERSION,
      nnrtVersion: this.identity.nnrtVersion,
      adapter: { vendor: a.vendor, architecture: a.architecture, description: a.description },
      entries,
    };
    return new TextEncoder().encode(JSON.stringify(file, null, 1) + '\n');
  }

  /**
   * Reads a serialized cache. A cache from another nnrt version, cache version or adapter gives
   * an empty cache and the reason (for the build log); bytes that are not a timing cache at all
   * throw a ParseError.
   */
  static parse(bytes: Uint8Array, expect: TimingCacheIdentity): { cache: TimingCache; reason?: string } {
    const cache = new TimingCache(expect);
    const bad = (what: string, where?: string): never => {
      throw new ParseError(`not a valid nnrt timing cache: ${what}`, { where, hint: 'delete the file; the next build writes a new one' });
    };
    let file: unknown;
    try {
      file = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (e) {
      bad(`unreadable JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (typeof file !== 'object' || file === null || (file as { format?: unknown }).format !== 'nnrt-timing-cache') {
      bad("no 'nnrt-timing-cache' format tag", 'format');
    }
    const f = file as Record<string, unknown>;
    if (f.version !== TIMING_CACHE_VERSION) {
      return { cache, reason: `timing cache format version ${String(f.version)} is not ${TIMING_CACHE_VERSION}; timing layers again` };
    }
    if (f.nnrtVersion !== expect.nnrtVersion) {
      return { cache, reason: `timing cache made by nnrt ${String(f.nnrtVersion)} (this is ${expect.nnrtVersion}); timing layers again` };
    }
    const a = f.adapter as Partial<AdapterIdentity> | undefined;
    const b = expect.adapter;
    if (typeof a !== 'object' || a === null || a.vendor !== b.vendor || a.architecture !== b.architecture || a.description !== b.description) {
      const was = typeof a === 'object' && a !== null ? describeAdapter(a as AdapterIdentity) : 'an unknown adapter';
      return { cache, reason: `timing cache made on ${was} (this is ${describeAdapter(b)}); timing layers again` };
    }
    const entries = f.entries;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) bad('no entries object', 'entries');
    for (const [sig, e] of Object.entries(entries as Record<string, unknown>)) {
      const { tactic, ms } = (e ?? {}) as Partial<TimingEntry>;
      if (typeof tactic !== 'string' || typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        bad('an entry needs a tactic name and a time in ms', `entries.${sig}`);
      }
      cache.set(sig, tactic as string, ms as number);
    }
    return { cache };
  }
}

/**
 * How a typed array counts in a layer signature: its type and length, never its values (weights,
 * an embedding table among a layer's constants: GPT-2's 38.6 M floats written out are longer than
 * a JavaScript string may be, and layers that differ only in weights share one timing).
 */
function typedArrayShape(v: ArrayBufferView): string {
  return `${v.constructor.name}(${(v as unknown as ArrayLike<unknown>).length ?? v.byteLength})`;
}

/**
 * A quantization scale or zero point as a signature counts it: a scale not at all, a zero point as
 * zero or not. They only change constants, and every int8 layer has its own (ResNet-50's 53
 * convolutions, BERT's 48 products were each timed anew before: minutes of building).
 */
function quantParam(key: string, x: unknown): unknown {
  if (typeof x !== 'number') return undefined;
  if (key === 'scale') return 'scale';
  if (key === 'zeroPoint') return x === 0 ? 0 : 'nonzero';
  return undefined;
}

/** `value` with every typed array in it, at any depth, replaced by typedArrayShape, and quantization parameters by quantParam. */
export function withoutValues(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return typedArrayShape(value);
  if (Array.isArray(value)) return value.map(withoutValues);
  if (value instanceof Map) return withoutValues(Object.fromEntries(value));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, quantParam(k, x) ?? withoutValues(x)]));
  return value;
}

/**
 * A stable signature for a layer's timing-relevant parts (kind, shapes, formats, attributes...):
 * canonical JSON (object keys sorted) hashed with FNV-1a 64. Pass shapes, not weight data.
 */
export function layerSignature(parts: object): string {
  return stableHash(parts);
}

/** FNV-1a 64 (16 hex digits) of canonicalJson(value). */
export function stableHash(value: unknown): string {
  return fnv1a64(new TextEncoder().encode(canonicalJson(value)));
}

/**
 * JSON with object keys sorted at every depth, so equal values give equal strings however they
 * were built. Typed arrays are written as lists, Maps as objects; undefined members are left out (as JSON does).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return value === undefined ? 'null' : JSON.stringify(value);
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return canonicalJson(Array.from(value as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x.toString() : x)));
  }
  if (value instanceof Map) return canonicalJson(Object.fromEntries(value));
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}
