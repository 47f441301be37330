// What a WebGPU device offers that kernels specialize on — the one capabilities type of the
// framework's op kernels and the engine's kernels alike.
import type { GpuDevice, SubgroupMatrixConfig } from './device.js';

export interface DeviceCaps {
  /** Bytes of var<workgroup> memory one workgroup may use. */
  maxWorkgroupStorage: number;
  maxStorageBuffersPerStage: number;
  maxWorkgroupsPerDimension: number;
  maxInvocationsPerWorkgroup: number;
  /** The device was created with 'shader-f16': WGSL may use f16 arithmetic and storage. */
  shaderF16: boolean;
  /** WGSL has dot4I8Packed (language feature packed_4x8_integer_dot_product): the int8 kernels need it. */
  packedDot4I8?: boolean;
  /**
   * The subgroup-matrix shapes and types WGSL may use (`enable chromium_experimental_subgroup_matrix;`):
   * the adapter's configs when the device was created with 'chromium-experimental-subgroup-matrix',
   * else none. Dawn offers the feature only with the allow_unsafe_apis toggle (--gpu-features subgroup-matrix).
   */
  subgroupMatrix: readonly SubgroupMatrixConfig[];
  /**
   * How the device counts the offset and stride of an 8-bit subgroup matrix held in an array<i32>:
   * in its 'byte's (the extension's text) or in the array's 'word's. The text is read both ways
   * by drivers, so the engine's int8 check (src/engine/int8-mma-check.ts) finds out on the device
   * and sets this; absent: 'word'.
   */
  i8MatrixUnit?: 'byte' | 'word';
  /** int8 subgroup-matrix tiles (by name) the device check found wrong here: the builder leaves them out. */
  i8TilesOff?: readonly string[];
  /**
   * Invocations per subgroup when the device has 'subgroups' and every subgroup has the same size
   * (adapter subgroupMinSize = subgroupMaxSize, e.g. 32 on NVIDIA); else absent. Subgroup-matrix
   * kernels lay out their subgroups by it.
   */
  subgroupSize?: number;
  /**
   * Bytes one storage binding may hold (maxStorageBufferBindingSize, or maxBufferSize when smaller):
   * kernels cut a constant weight over it into blocks. Absent: the WebGPU default of 128 MiB.
   */
  maxStorageBinding?: number;
}

/** The capabilities of `gpu` (its limits as requested in full, its optional features). */
export function deviceCaps(gpu: GpuDevice): DeviceCaps {
  const l = gpu.limits;
  return {
    maxWorkgroupStorage: l.maxComputeWorkgroupStorageSize,
    maxStorageBuffersPerStage: l.maxStorageBuffersPerShaderStage,
    maxWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    shaderF16: gpu.features.has('shader-f16'),
    packedDot4I8: gpu.gpu?.wgslLanguageFeatures?.has('packed_4x8_integer_dot_product') ?? false,
    subgroupMatrix: gpu.features.has('chromium-experimental-subgroup-matrix') ? gpu.subgroupMatrixConfigs : [],
    ...(gpu.features.has('subgroups') && gpu.subgroupSize !== undefined ? { subgroupSize: gpu.subgroupSize } : {}),
    maxStorageBinding: Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize),
  };
}

/** The limits every WebGPU device has (the spec's defaults), without optional features: for code generation without a device. */
export const BASELINE_CAPS: DeviceCaps = {
  maxWorkgroupStorage: 16384,
  maxStorageBuffersPerStage: 8,
  maxWorkgroupsPerDimension: 65535,
  maxInvocationsPerWorkgroup: 256,
  shaderF16: false,
  subgroupMatrix: [],
};
