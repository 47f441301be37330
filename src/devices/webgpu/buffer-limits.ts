// A buffer request checked against the device's limits before createBuffer: past maxBufferSize
// Dawn fails (or the process dies) far from the cause; here it is a typed error naming the value.
// A kernel whose bindings are larger than maxStorageBufferBindingSize is declined before it is
// scheduled (the node runs its CPU kernel instead), so a big weight never fails a run.
import { DeviceError } from '../../errors.js';

export function checkBufferSize(limits: Pick<GPUSupportedLimits, 'maxBufferSize'>, bytes: number, what: string, where?: string): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > limits.maxBufferSize) {
    throw new DeviceError(`${what} needs a buffer of ${bytes} bytes, over this device's maxBufferSize of ${limits.maxBufferSize}`, {
      ...(where ? { where } : {}), hint: 'use smaller inputs, or run it with --device cpu',
    });
  }
}

/** A buffer a kernel would bind: the value's name and its bytes on the device. */
export interface BindingRequest {
  name: string;
  bytes: number;
}

/**
 * Why a kernel cannot bind these buffers on a device with these limits (the largest over
 * maxStorageBufferBindingSize or maxBufferSize, named), or undefined when all fit.
 */
export function oversizedBinding(bindings: readonly BindingRequest[], limits: Pick<GPUSupportedLimits, 'maxBufferSize' | 'maxStorageBufferBindingSize'>): string | undefined {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  let worst: BindingRequest | undefined;
  for (const b of bindings) if (b.bytes > limit && (!worst || b.bytes > worst.bytes)) worst = b;
  if (!worst) return undefined;
  const which = limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
  return `'${worst.name}' takes ${worst.bytes} bytes, over this device's ${which} of ${limit}: runs on the CPU`;
}
