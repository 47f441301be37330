/// <reference types="@webgpu/types" />
// A tensor that lives in a WebGPU buffer, in the device layout of dtype.ts (4 bytes an element):
// what a session's `upload` makes and what `runOnDevice` leaves on the device instead of reading
// it back.
import { DeviceError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { elementCount } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkBufferSize } from './buffer-limits.js';
import type { GpuDevice } from './device.js';
import { DEVICE_BYTES_PER_ELEMENT, fromDeviceData, toDeviceData } from './dtype.js';

export interface GpuTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly buffer: GPUBuffer;
  /** Copies the values to the host (waits for the work that writes the buffer). */
  read(): Promise<Tensor>;
}

/** Tells a GpuTensor from a host Tensor (a host tensor has no `buffer`). */
export function isGpuTensor(v: unknown): v is GpuTensor {
  return typeof v === 'object' && v !== null && 'buffer' in v && typeof (v as GpuTensor).read === 'function';
}

const bytesOf = (shape: readonly number[]) => elementCount(shape) * DEVICE_BYTES_PER_ELEMENT;

/** A view of `buffer` as a tensor of `dtype` and `shape`; `read` copies it through a staging buffer. */
export function gpuTensorView(gpu: GpuDevice, dtype: DType, shape: readonly number[], buffer: GPUBuffer): GpuTensor {
  return {
    dtype, shape, buffer,
    async read() {
      gpu.checkAlive();
      const bytes = bytesOf(shape);
      const device = gpu.device;
      const staging = device.createBuffer({ size: Math.max(DEVICE_BYTES_PER_ELEMENT, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      try {
        const encoder = device.createCommandEncoder();
        if (bytes > 0) encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
        device.queue.submit([encoder.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        return fromDeviceData(dtype, shape, staging.getMappedRange());
      } catch (e) {
        gpu.checkAlive();
        throw new DeviceError(`reading a tensor back from the WebGPU device failed: ${(e as Error).message}`, { cause: e });
      } finally {
        staging.destroy();
      }
    },
  };
}

/** Copies a host tensor into a new device buffer (the caller destroys `buffer` when done). */
export function uploadTensor(gpu: GpuDevice, t: Tensor): GpuTensor {
  gpu.checkAlive();
  const data = toDeviceData(t, 'an uploaded tensor');
  checkBufferSize(gpu.limits, data.byteLength, 'an uploaded tensor');
  const buffer = gpu.device.createBuffer({
    size: Math.max(DEVICE_BYTES_PER_ELEMENT, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  if (data.byteLength > 0) gpu.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return gpuTensorView(gpu, t.dtype, [...t.shape], buffer);
}
