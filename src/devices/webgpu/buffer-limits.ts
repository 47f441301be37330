// A buffer request checked against the device's limits before createBuffer: past maxBufferSize
// Dawn fails (or the process dies) far from the cause; here it is a typed error naming the value.
import { DeviceError } from '../../errors.js';

export function checkBufferSize(limits: Pick<GPUSupportedLimits, 'maxBufferSize'>, bytes: number, what: string, where?: string): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > limits.maxBufferSize) {
    throw new DeviceError(`${what} needs a buffer of ${bytes} bytes, over this device's maxBufferSize of ${limits.maxBufferSize}`, {
      ...(where ? { where } : {}), hint: 'use smaller inputs, or run it with --device cpu',
    });
  }
}
