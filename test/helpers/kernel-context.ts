// The KernelContext an engine kernel test compiles a layer with: the device's limits (one may be
// lowered to force a path), the layer's tensors, in-place placements. No WebGPU globals at load.
import { deviceCaps } from '../../src/devices/webgpu/caps.js';
import type { GpuDevice } from '../../src/devices/webgpu/device.js';
import type { KernelContext, OutputPlacement } from '../../src/engine/kernels/tactic.js';
import type { NetTensor } from '../../src/engine/network.js';
import { fromHalfBits, toHalfBits } from '../../src/tensor/float16.js';

export function kernelContext(
  gpu: GpuDevice, tensors: NetTensor[],
  opts: { placement?: Record<string, OutputPlacement>; maxWorkgroupsPerDimension?: number } = {},
): KernelContext {
  const caps = deviceCaps(gpu);
  return {
    caps: { ...caps, maxWorkgroupsPerDimension: opts.maxWorkgroupsPerDimension ?? caps.maxWorkgroupsPerDimension },
    tensors: new Map(tensors.map((t) => [t.name, t])),
    placement: new Map(Object.entries(opts.placement ?? {})),
  };
}

/** Values rounded to IEEE half precision (what f16x2 storage keeps). */
export const roundHalf = (v: Float32Array) => v.map((x) => fromHalfBits(toHalfBits(x)));
