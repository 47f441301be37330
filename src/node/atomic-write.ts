// Files are written to a temporary name beside the target and renamed into place, so a crash or an
// error never leaves a partial file where a model, plan or cache entry is expected.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** Writes through `write(fd)` into a temp file, fsyncs, then renames it to `path`. */
export function writeAtomically(path: string, write: (fd: number) => void): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write '${path}' (${code ?? (e as Error).message})`, { hint: 'check that its folder exists, is a folder and is writable' });
  }
  try {
    write(fd);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOTEMPTY' || code === 'EACCES' || code === 'EPERM') {
      throw new UsageError(`cannot write '${path}' (${code}${code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST' ? ': a directory is in the way' : ''})`, { hint: 'choose another path' });
    }
    throw e;
  }
}

/** Writes all of `bytes` at `position` (writeSync may write less than asked). */
export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Atomically replaces `path` with `data`. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  writeAtomically(path, (fd) => writeFully(fd, bytes, 0));
}
