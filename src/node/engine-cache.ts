// The engine cache: built plans on disk, one `<key>.plan` file per key, so a second start loads a
// plan instead of building it. The key hashes everything the plan depends on (graph structure,
// shapes, dtypes, precision, adapter, nnrt version), never names alone (ORT's stale-hit bug).
// Entries are written atomically and checked on every read; a damaged entry is removed and
// reported so the caller rebuilds. Several processes may share a folder: writes are renames.
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PlanError, UsageError } from '../errors.js';
import { parsePlan, type EnginePlan } from '../engine/plan-format.js';
import { stableHash } from '../engine/timing-cache.js';
import { writeFileAtomic } from './atomic-write.js';

export interface EngineCacheKeyParts {
  /** hashGraph of the (sub)graph the plan runs. */
  graphHash: string;
  inputShapes: Record<string, number[]>;
  dtypes: Record<string, string>;
  precision: string;
  adapter: object;
  nnrtVersion: string;
}

export type EngineCacheRead = { bytes: Uint8Array; plan: EnginePlan } | { corrupt: string };

export class EngineCache {
  /** Throws UsageError now when `dir` exists and is not a folder (not after a long build). */
  constructor(readonly dir: string) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      return; // created on the first write
    }
    if (!st.isDirectory()) throw new UsageError(`engine cache directory '${dir}' is a file, not a folder`, { hint: 'give --cache-dir a folder (it is created if missing)' });
  }

  /** 16 hex digits; equal parts (in any key order) give equal keys. */
  keyFor(parts: EngineCacheKeyParts): string {
    return stableHash({ kind: 'nnrt-engine', ...parts });
  }

  /** Where the entry for `key` lives. */
  pathFor(key: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(key)) {
      throw new UsageError(`engine cache key '${key}' is not a plain name`, { hint: 'use EngineCache.keyFor to make keys' });
    }
    return join(this.dir, `${key}.plan`);
  }

  /**
   * The entry, parsed and checked; undefined when there is none; `{ corrupt }` (and the entry
   * deleted) when it cannot be used, so the caller rebuilds and warns.
   */
  read(key: string): EngineCacheRead | undefined {
    const path = this.pathFor(key);
    let bytes: Uint8Array;
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UsageError(`engine cache entry '${path}' is a directory`, { hint: 'remove it; the cache keeps one plan file per key there' });
    }
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return { corrupt: `cannot read ${path}: ${(e as Error).message}` };
    }
    try {
      return { bytes, plan: parsePlan(bytes) };
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      this.remove(key);
      return { corrupt: `engine cache entry ${path} removed: ${e.message}` };
    }
  }

  /** Stores `bytes` (a serialized plan) under `key`, replacing any entry atomically. */
  write(key: string, bytes: Uint8Array): void {
    const path = this.pathFor(key);
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(path, bytes);
  }

  remove(key: string): void {
    rmSync(this.pathFor(key), { force: true });
  }
}
