// In a browser the fast CPU kernels can spread work over Web Workers sharing their memory. That
// needs SharedArrayBuffer (a cross-origin-isolated page: COOP + COEP headers) and a thread that
// may block in Atomics.wait, which browsers refuse on a page's main thread: so nnrt must itself
// run inside a (dedicated) worker. Elsewhere the kernels stay single-threaded.
import { installCpuThreads } from './wasm-kernels.js';

/** Installs Web Workers as the CPU kernels' workers; returns false where they cannot be used. */
export function installWebCpuThreads(threads?: number): boolean {
  const g = globalThis as { WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (g.WorkerGlobalScope === undefined || g.crossOriginIsolated !== true || typeof Worker === 'undefined') return false;
  const count = threads ?? g.navigator?.hardwareConcurrency ?? 1;
  installCpuThreads((source, init) => {
    const script = `self.onmessage = (event) => { const init = event.data; ${source} };`;
    const worker = new Worker(URL.createObjectURL(new Blob([script], { type: 'text/javascript' })));
    worker.postMessage(init);
    return worker;
  }, count);
  return true;
}
