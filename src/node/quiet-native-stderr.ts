// Node-only: runs a synchronous call with the process's native stderr (fd 2) pointed at /dev/null.
// Dawn prints informational warnings straight to fd 2 from C++ while an adapter is requested
// (lavapipe's "maxDynamic...BuffersPerPipelineLayout artificially reduced"), where no JS hook can
// filter them. fd 2 is reopened from /proc/self/fd afterwards; this is done only where reopening
// gives the same stream back (a terminal, a pipe, /dev/null), never for a regular file, whose
// offset a reopened descriptor would not share. Anywhere else the call simply runs as it is.
import { closeSync, fstatSync, openSync } from 'node:fs';

function reopenable(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const s = fstatSync(2);
    return s.isCharacterDevice() || s.isFIFO();
  } catch {
    return false;
  }
}

export function withNativeStderrSilenced<T>(call: () => T): T {
  if (!reopenable()) return call();
  let saved: number;
  try {
    saved = openSync('/proc/self/fd/2', 'w');
  } catch {
    return call();
  }
  const restore = () => {
    closeSync(2);
    const fd = openSync(`/proc/self/fd/${saved}`, 'w'); // the lowest free descriptor: 2
    if (fd !== 2) closeSync(fd);
    closeSync(saved);
  };
  try {
    closeSync(2);
    const nul = openSync('/dev/null', 'w');
    if (nul !== 2) { // another thread took fd 2 meanwhile: put stderr back and run unfiltered
      closeSync(nul);
      restore();
      return call();
    }
  } catch {
    restore();
    return call();
  }
  try {
    return call();
  } finally {
    restore();
  }
}
