// The WebGPU "kernel" of ops that only change how the same elements are indexed (Reshape,
// Flatten, Squeeze, Unsqueeze, Identity): output 0 aliases input 0's buffer, nothing runs.
import type { GpuKernel } from '../../devices/webgpu/program.js';

export const ALIAS_WGSL: GpuKernel = () => ({ alias: 0 });
