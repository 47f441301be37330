export { createGpuDevice, GpuDevice, OPTIONAL_FEATURES, type GpuDeviceOptions, type OptionalFeature } from './device.js';
export type { GpuKernel, GpuLaunch, Program } from './program.js';
