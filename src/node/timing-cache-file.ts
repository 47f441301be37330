// Timing caches on disk. A missing file is a normal first build; a damaged or foreign file is
// never fatal: the build times its layers again, logs the warning, and overwrites the file.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NnrtError } from '../errors.js';
import { TimingCache, type TimingCacheIdentity } from '../engine/timing-cache.js';
import { writeFileAtomic } from './atomic-write.js';

/** The cache at `path` for `expect`'s nnrt version and adapter, or an empty one and why. */
export function loadTimingCache(path: string, expect: TimingCacheIdentity): { cache: TimingCache; warning?: string } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { cache: new TimingCache(expect) };
    return { cache: new TimingCache(expect), warning: `timing cache ${path} unreadable (${(e as Error).message}); timing layers again` };
  }
  try {
    const { cache, reason } = TimingCache.parse(bytes, expect);
    return reason === undefined ? { cache } : { cache, warning: `${path}: ${reason}` };
  } catch (e) {
    if (!(e instanceof NnrtError)) throw e;
    return { cache: new TimingCache(expect), warning: `timing cache ${path} ignored: ${e.message}` };
  }
}

/** Writes the cache atomically (temp file, then rename), creating the folder if needed. */
export function saveTimingCache(path: string, cache: TimingCache): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, cache.serialize());
}
