/// <reference types="@webgpu/types" />
import { DeviceError, UsageError } from '../../errors.js';
import { BufferPool } from './buffer-pool.js';
import { PipelineCache } from './pipeline-cache.js';

/** Optional features nnrt requests when the adapter offers them. */
export const OPTIONAL_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query', 'chromium-experimental-subgroup-matrix'] as const;
export type OptionalFeature = (typeof OPTIONAL_FEATURES)[number];

/**
 * One matrix shape the device's subgroups multiply (Dawn's GPUSubgroupMatrixConfig): an M×K by K×N
 * product of `componentType` elements accumulated in `resultComponentType` ('f16', 'f32', 'i8'...).
 */
export interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

/** The adapter's subgroup-matrix configs (Dawn exposes them on `adapter.info`; absent elsewhere). */
function subgroupMatrixConfigsOf(info: GPUAdapterInfo): SubgroupMatrixConfig[] {
  const raw = (info as GPUAdapterInfo & { subgroupMatrixConfigs?: Iterable<SubgroupMatrixConfig> }).subgroupMatrixConfigs;
  return raw ? [...raw].map((c) => ({ componentType: String(c.componentType), resultComponentType: String(c.resultComponentType), M: c.M, N: c.N, K: c.K })) : [];
}

export interface GpuDeviceOptions {
  /** Try adapters in this order (default: high-performance, then the default, then a fallback adapter). */
  powerPreference?: GPUPowerPreference;
  /** Features to leave off even when offered (e.g. to test the paths without shader-f16). */
  disableFeatures?: readonly OptionalFeature[];
  /**
   * Treat storage bindings as limited to this many bytes (below the adapter's
   * maxStorageBufferBindingSize): plan as a smaller device would, e.g. to test the CPU fallback
   * of big weights. WebGPU cannot request a limit below its default, so nnrt applies it itself.
   */
  maxStorageBindingBytes?: number;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  isFallback: boolean;
}

/**
 * One WebGPU device as nnrt uses it: the adapter's limits requested in full (storage binding
 * size, buffer size, workgroup storage), optional features detected, a buffer pool and a pipeline
 * cache. Loss is recorded so every later use fails with a DeviceError instead of hanging.
 */
export class GpuDevice {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly features: ReadonlySet<OptionalFeature>;
  /** The adapter's subgroup-matrix configs (read only when the feature was enabled; else none). */
  readonly subgroupMatrixConfigs: readonly SubgroupMatrixConfig[];
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  /** Why the device was lost, once it was. */
  lostReason: string | undefined;

  /**
   * The GPU object the device came from. Held so it stays reachable as long as the device: Dawn
   * tears its instance down when the GPU object is garbage-collected, even with devices alive.
   */
  readonly gpu: GPU | undefined;

  constructor(device: GPUDevice, adapter: AdapterSummary, features: ReadonlySet<OptionalFeature>, gpu?: GPU, subgroupMatrixConfigs: readonly SubgroupMatrixConfig[] = []) {
    this.gpu = gpu;
    this.subgroupMatrixConfigs = subgroupMatrixConfigs;
    this.device = device;
    this.adapter = adapter;
    this.features = features;
    this.pool = new BufferPool(device);
    this.pipelines = new PipelineCache(device);
    void device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`;
    });
  }

  /** Set by GpuDeviceOptions.maxStorageBindingBytes. */
  storageBindingCap: number | undefined;

  /** The adapter's subgroup size where it is fixed (subgroupMinSize = subgroupMaxSize); else undefined. */
  subgroupSize: number | undefined;

  /** The device's limits, maxStorageBufferBindingSize lowered by `storageBindingCap` when set. */
  get limits(): GPUSupportedLimits {
    const l = this.device.limits;
    if (this.storageBindingCap === undefined || this.storageBindingCap >= l.maxStorageBufferBindingSize) return l;
    return new Proxy(l, { get: (t, k) => (k === 'maxStorageBufferBindingSize' ? this.storageBindingCap : Reflect.get(t, k)) });
  }

  /** Throws a DeviceError when the device was lost (the session must be recreated). */
  checkAlive(): void {
    if (this.lostReason !== undefined) {
      throw new DeviceError(`the WebGPU device was lost (${this.lostReason})`, { hint: 'create a new session' });
    }
  }

  destroy(): void {
    this.pool.destroy();
    this.lostReason ??= 'destroyed: the session was disposed';
    this.device.destroy();
  }
}

const LIMITS_TO_MAX = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupsPerDimension'] as const;

async function pickAdapter(gpu: GPU, opts: GpuDeviceOptions): Promise<GPUAdapter | null> {
  const tries: GPURequestAdapterOptions[] = [
    { powerPreference: opts.powerPreference ?? 'high-performance' },
    {},
    { forceFallbackAdapter: true },
  ];
  for (const t of tries) {
    const a = await gpu.requestAdapter(t).catch(() => null);
    if (a) return a;
  }
  return null;
}

/** Creates nnrt's device from a `GPU` object (Dawn's in Node, `navigator.gpu` in a page). */
export async function createGpuDevice(gpu: GPU, opts: GpuDeviceOptions = {}): Promise<GpuDevice> {
  const cap = opts.maxStorageBindingBytes;
  if (cap !== undefined && (!Number.isSafeInteger(cap) || cap < 4)) throw new UsageError(`maxStorageBindingBytes must be an integer of at least 4 bytes, got ${cap}`);
  const adapter = await pickAdapter(gpu, opts);
  if (!adapter) {
    throw new DeviceError('no WebGPU adapter: no Vulkan driver found', {
      hint: 'on Debian install mesa-vulkan-drivers from bookworm-backports (Mesa lavapipe 25.x); in a browser, enable WebGPU',
    });
  }
  const off = new Set(opts.disableFeatures ?? []);
  const features = new Set(OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && !off.has(f)));
  // @webgpu/types does not name Dawn's experimental feature: the list is widened to plain strings
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMITS_TO_MAX) requiredLimits[name] = adapter.limits[name];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: [...features] as GPUFeatureName[], requiredLimits });
  } catch (e) {
    throw new DeviceError(`the WebGPU adapter refused to create a device: ${(e as Error).message}`, { cause: e });
  }
  const info = adapter.info;
  const summary: AdapterSummary = {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallback: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
  };
  const configs = features.has('chromium-experimental-subgroup-matrix') ? subgroupMatrixConfigsOf(info) : [];
  const result = new GpuDevice(device, summary, features, gpu, configs);
  result.storageBindingCap = opts.maxStorageBindingBytes;
  const sizes = info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  if (sizes.subgroupMinSize !== undefined && sizes.subgroupMinSize > 0 && sizes.subgroupMinSize === sizes.subgroupMaxSize) result.subgroupSize = sizes.subgroupMinSize;
  return result;
}

const shared = new WeakMap<GPU, Map<string, Promise<GpuDevice>>>();

/**
 * The device sessions share for a `GPU` object and options, so pipelines compile once per process
 * rather than once per session. A lost device is replaced on the next request.
 */
export async function sharedGpuDevice(gpu: GPU, opts: GpuDeviceOptions = {}): Promise<GpuDevice> {
  const key = JSON.stringify(opts);
  let byOpts = shared.get(gpu);
  if (!byOpts) shared.set(gpu, (byOpts = new Map()));
  const cached = byOpts.get(key);
  if (cached) {
    const d = await cached.catch(() => undefined);
    if (d && d.lostReason === undefined) return d;
  }
  const created = createGpuDevice(gpu, opts);
  byOpts.set(key, created);
  created.catch(() => byOpts.delete(key));
  return created;
}
