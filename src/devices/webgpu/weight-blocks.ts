// Constant weights larger than one storage binding (maxStorageBufferBindingSize: 128 MiB by
// default, 2 GiB or so on big GPUs) are cut into blocks that each fit: MatMul and Gemm cut B into
// column blocks, each block's dispatch writing its range of output columns; Gather cuts an
// embedding table into row blocks, each block's dispatch writing the outputs whose index falls in
// it. The blocks are host tensors the kernel returns as the launch's `constants`.
import type { InferInput } from '../../tensor/tensor-type.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DeviceCaps } from './caps.js';
import { DEVICE_BYTES_PER_ELEMENT } from './dtype.js';

/** The WebGPU default of maxStorageBufferBindingSize, for caps that do not say. */
const DEFAULT_BINDING_LIMIT = 128 * 2 ** 20;

export const bindingLimit = (caps: DeviceCaps) => caps.maxStorageBinding ?? DEFAULT_BINDING_LIMIT;

/** The constant value of `t` when it takes more device bytes than one binding may hold, else undefined. */
export function oversizedConstant(t: InferInput | undefined, caps: DeviceCaps): Tensor | undefined {
  if (!t?.value) return undefined;
  const bytes = t.shape.reduce((p, d) => p * d, 1) * DEVICE_BYTES_PER_ELEMENT;
  return bytes > bindingLimit(caps) ? t.value : undefined;
}

export interface Span {
  start: number;
  len: number;
}

/**
 * `count` units (columns or rows) of `unitElements` device elements each, cut into spans that each
 * fit one binding; a string when a single unit is over the limit already.
 */
export function blockSpans(count: number, unitElements: number, caps: DeviceCaps, unit: string): Span[] | string {
  const limit = bindingLimit(caps);
  const unitBytes = unitElements * DEVICE_BYTES_PER_ELEMENT;
  const per = Math.floor(limit / unitBytes);
  if (per < 1) return `one ${unit} takes ${unitBytes} bytes, over the storage binding limit of ${limit}: runs on the CPU`;
  const spans: Span[] = [];
  for (let start = 0; start < count; start += per) spans.push({ start, len: Math.min(per, count - start) });
  return spans;
}
