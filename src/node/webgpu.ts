// Node-only: the GPU object from Dawn (the `webgpu` package). Browsers pass navigator.gpu instead.
// Dawn is loaded on first use, so importing this module costs nothing for CPU-only runs.
import type { DeviceCaps } from '../devices/webgpu/caps.js';
import { registerGpuProvider } from '../devices/webgpu/provider.js';
import { UsageError } from '../errors.js';
import { withNativeStderrSilenced } from './quiet-native-stderr.js';

/**
 * Optional GPU features that need Dawn toggles to be offered at all: 'f16' (vulkan_enable_f16_on_nvidia:
 * Dawn hides shader-f16 on NVIDIA's Vulkan driver otherwise) and 'subgroup-matrix' (allow_unsafe_apis:
 * chromium-experimental-subgroup-matrix is an unsafe API). The device requests the features whenever
 * the adapter offers them; where it does not, asking is harmless (see gpuFeatureNotices).
 */
export const GPU_FEATURES = ['f16', 'subgroup-matrix'] as const;
export type GpuFeatureRequest = (typeof GPU_FEATURES)[number];

const TOGGLES: Record<GpuFeatureRequest, string> = { f16: 'vulkan_enable_f16_on_nvidia', 'subgroup-matrix': 'allow_unsafe_apis' };

/** '--gpu-features f16,subgroup-matrix' (or NNRT_GPU_FEATURES) as a checked list. */
export function parseGpuFeatures(list: string, what = '--gpu-features'): GpuFeatureRequest[] {
  const items = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of items) {
    if (!(GPU_FEATURES as readonly string[]).includes(f)) throw new UsageError(`${what} '${f}' is not one of ${GPU_FEATURES.join(', ')}`);
  }
  return [...new Set(items)] as GpuFeatureRequest[];
}

/** One line per asked-for feature the device did not get (e.g. on lavapipe: no subgroup matrices). */
export function gpuFeatureNotices(asked: readonly GpuFeatureRequest[], caps: DeviceCaps): string[] {
  const out: string[] = [];
  if (asked.includes('f16') && !caps.shaderF16) out.push("--gpu-features f16: the adapter offers no 'shader-f16'; f16 kernels stay off");
  if (asked.includes('subgroup-matrix') && caps.subgroupMatrix.length === 0) {
    out.push("--gpu-features subgroup-matrix: the adapter offers no 'chromium-experimental-subgroup-matrix' configs; subgroup-matrix kernels stay off");
  }
  return out;
}

export interface DawnOptions {
  /** Dawn toggles to enable, e.g. ['allow_unsafe_apis'] (passed as enable-dawn-features=...). */
  enableToggles?: string[];
  /** Dawn toggles to disable. */
  disableToggles?: string[];
  /** Further raw Dawn flags ('key=value'). */
  flags?: string[];
  /** Optional features to make Dawn offer (adds their toggles). Default: $NNRT_GPU_FEATURES. */
  gpuFeatures?: readonly GpuFeatureRequest[];
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
  const features = opts.gpuFeatures ?? gpuFeaturesFromEnvironment();
  const enable = [...new Set([...(opts.enableToggles ?? []), ...features.map((f) => TOGGLES[f])])];
  if (enable.length) flags.push(`enable-dawn-features=${enable.join(',')}`);
  // Dawn rounds timestamps (as browsers must, against timing attacks) to ~65 µs on NVIDIA: tactic
  // timing and --layer-times measure kernels of a few µs, so Node asks for the device's own ticks
  const disable = [...new Set(['timestamp_quantization', ...(opts.disableToggles ?? [])])];
  flags.push(`disable-dawn-features=${disable.join(',')}`);
  const gpu = create(flags);
  if (opts.dawnWarnings ?? process.env.NNRT_VERBOSE === '1') return gpu;
  // requestAdapter is where Dawn prints them, synchronously, before the promise is returned
  const requestAdapter = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = (o?: GPURequestAdapterOptions) => withNativeStderrSilenced(() => requestAdapter(o));
  return gpu;
}

let asked: readonly GpuFeatureRequest[] | undefined;

/** The optional features the process's Dawn GPU is asked for (useDawn's, else NNRT_GPU_FEATURES). */
export function dawnFeaturesAsked(): readonly GpuFeatureRequest[] {
  return asked ?? gpuFeaturesFromEnvironment();
}

/**
 * A hint for an adapter whose fast paths Dawn hides unless asked: NVIDIA's Vulkan driver gets
 * shader-f16 only with vulkan_enable_f16_on_nvidia and subgroup matrices (tensor cores) only with
 * allow_unsafe_apis. Undefined when there is nothing to say.
 */
export function gpuFeatureHint(vendor: string, features: readonly GpuFeatureRequest[], how: 'flag' | 'environment' = 'flag'): string | undefined {
  if (!/nvidia/i.test(vendor)) return undefined;
  const missing = GPU_FEATURES.filter((f) => !features.includes(f));
  if (!missing.length) return undefined;
  const all = [...new Set([...features, ...missing])].join(',');
  const ask = how === 'flag' ? `--gpu-features ${all} or NNRT_GPU_FEATURES=${all}` : `NNRT_GPU_FEATURES=${all}`;
  return `this NVIDIA adapter gives the engine ${missing.map((f) => (f === 'f16' ? 'shader-f16' : 'subgroup matrices (tensor cores)')).join(' and ')} only when asked: ${ask}`;
}

/** NNRT_GPU_FEATURES=f16,subgroup-matrix: the features every Dawn GPU of this process is asked for. */
export function gpuFeaturesFromEnvironment(): GpuFeatureRequest[] {
  const v = process.env.NNRT_GPU_FEATURES;
  return v ? parseGpuFeatures(v, 'NNRT_GPU_FEATURES') : [];
}

let shared: Promise<GPU> | undefined;

/** Makes `createSession({ device: 'webgpu' })` use Dawn when no GPU object is passed. */
export function useDawn(opts: DawnOptions = {}): void {
  shared = undefined;
  asked = opts.gpuFeatures;
  registerGpuProvider(() => (shared ??= createDawnGpu(opts)));
}

useDawn();
