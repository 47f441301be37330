// What a WebGPU device offers that kernels specialize on — the one capabilities type of the
// framework's op kernels and the engine's kernels alike.
import type { GpuDevice } from './device.js';

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
  };
}

/** The limits every WebGPU device has (the spec's defaults), without shader-f16: for code generation without a device. */
export const BASELINE_CAPS: DeviceCaps = {
  maxWorkgroupStorage: 16384,
  maxStorageBuffersPerStage: 8,
  maxWorkgroupsPerDimension: 65535,
  maxInvocationsPerWorkgroup: 256,
  shaderF16: false,
};
