/// <reference types="@webgpu/types" />
// Moving a run's values between the host and the device: uploads of host feeds, copies of feeds
// already on the device, copies of outputs to staging and their read back.
import { DeviceError, InputError } from '../errors.js';
import type { GpuDevice } from '../devices/webgpu/device.js';
import { fromDeviceData, hostArrayFor, toDeviceData } from '../devices/webgpu/dtype.js';
import type { GpuTensor } from '../devices/webgpu/gpu-tensor.js';
import type { Tensor } from '../tensor/tensor.js';
import { elementCount } from '../tensor/shape.js';
import type { Transfer } from './gpu-schedule.js';

export function writeTensor(device: GPUDevice, t: Transfer, value: Tensor): void {
  const data = toDeviceData(value, `'${t.name}'`);
  if (data.byteLength > 0) device.queue.writeBuffer(t.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
}

export function checkDeviceFeed(from: GpuTensor, t: Transfer): void {
  if (from.dtype !== t.dtype || from.shape.join() !== t.shape.join()) {
    throw new InputError(`input '${t.name}' on the device is ${from.dtype}[${from.shape}], the schedule expects ${t.dtype}[${t.shape}]`);
  }
}

export function copyIn(encoder: GPUCommandEncoder, from: GpuTensor, t: Transfer): void {
  const bytes = elementCount(t.shape) * 4;
  if (bytes > 0) encoder.copyBufferToBuffer(from.buffer, 0, t.buffer, 0, bytes);
}

export function copyOut(encoder: GPUCommandEncoder, t: Transfer): void {
  const bytes = elementCount(t.shape) * 4;
  if (bytes > 0) encoder.copyBufferToBuffer(t.buffer, 0, t.staging!, 0, bytes);
}

/**
 * Maps staging buffers (after the submit that filled them) and converts them to host tensors. The
 * host arrays are made while the device still works (hostArrayFor), so that once the map comes
 * back only the copy is left.
 */
export async function readAll(list: Transfer[], gpu: GpuDevice): Promise<[Transfer, Tensor][]> {
  try {
    return await Promise.all(list.map(async (t): Promise<[Transfer, Tensor]> => {
      const mapped = t.staging!.mapAsync(GPUMapMode.READ);
      const into = hostArrayFor(t.dtype, t.shape);
      await mapped;
      const tensor = fromDeviceData(t.dtype, t.shape, t.staging!.getMappedRange(), into);
      t.staging!.unmap();
      return [t, tensor];
    }));
  } catch (e) {
    gpu.checkAlive();
    throw new DeviceError(`reading results back from the WebGPU device failed: ${(e as Error).message}`, { cause: e });
  }
}
