// Node-only: the GPU object from Dawn (the `webgpu` package). Browsers pass navigator.gpu instead.
// Dawn is loaded on first use, so importing this module costs nothing for CPU-only runs.
import { registerGpuProvider } from '../devices/webgpu/provider.js';
import { withNativeStderrSilenced } from './quiet-native-stderr.js';

export interface DawnOptions {
  /** Dawn toggles to enable, e.g. ['allow_unsafe_apis'] (passed as enable-dawn-features=...). */
  enableToggles?: string[];
  /** Dawn toggles to disable. */
  disableToggles?: string[];
  /** Further raw Dawn flags ('key=value'). */
  flags?: string[];
  /**
   * Show Dawn's informational warnings (printed while an adapter is requested). Default: only
   * when NNRT_VERBOSE=1 (the CLI's --verbose sets it).
   */
  dawnWarnings?: boolean;
}

/** A `GPU` backed by Dawn. Sets WebGPU's globals (GPUBufferUsage...) on first use. */
export async function createDawnGpu(opts: DawnOptions = {}): Promise<GPU> {
  // Dawn's Vulkan loader needs a runtime directory; an unset one makes adapter discovery fail.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const flags = [...(opts.flags ?? [])];
  if (opts.enableToggles?.length) flags.push(`enable-dawn-features=${opts.enableToggles.join(',')}`);
  if (opts.disableToggles?.length) flags.push(`disable-dawn-features=${opts.disableToggles.join(',')}`);
  const gpu = create(flags);
  if (opts.dawnWarnings ?? process.env.NNRT_VERBOSE === '1') return gpu;
  // requestAdapter is where Dawn prints them, synchronously, before the promise is returned
  const requestAdapter = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = (o?: GPURequestAdapterOptions) => withNativeStderrSilenced(() => requestAdapter(o));
  return gpu;
}

let shared: Promise<GPU> | undefined;

/** Makes `createSession({ device: 'webgpu' })` use Dawn when no GPU object is passed. */
export function useDawn(opts: DawnOptions = {}): void {
  shared = undefined;
  registerGpuProvider(() => (shared ??= createDawnGpu(opts)));
}

useDawn();
