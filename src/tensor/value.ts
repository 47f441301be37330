import type { DType } from './dtype.js';
import { Tensor } from './tensor.js';

/**
 * The non-tensor values of ONNX: a sequence of tensors (one element dtype, shapes may differ) and
 * an optional holding a tensor, a sequence or nothing. They live on the host only: devices and the
 * engine see tensors.
 */
export class TensorSequence {
  readonly kind = 'sequence';
  constructor(
    readonly elemDtype: DType,
    readonly tensors: readonly Tensor[],
  ) {}
}

/** What an optional value would hold when present: a tensor, or a sequence, of `dtype`. */
export type OptionalElem = 'tensor' | 'sequence';

export class OptionalValue {
  readonly kind = 'optional';
  constructor(
    readonly elem: OptionalElem,
    readonly elemDtype: DType,
    readonly value: Tensor | TensorSequence | undefined,
  ) {}
}

/** Any runtime value an ONNX graph passes between nodes. */
export type Value = Tensor | TensorSequence | OptionalValue;

export function isTensor(v: Value | undefined): v is Tensor {
  return v instanceof Tensor;
}

/** A short description for messages: "float32[2,3]", "sequence(float32) of 4", "optional(empty)". */
export function describeValue(v: Value): string {
  if (v instanceof Tensor) return `${v.dtype}[${v.shape.join(',')}]`;
  if (v instanceof TensorSequence) return `sequence(${v.elemDtype}) of ${v.tensors.length}`;
  return v.value ? `optional(${describeValue(v.value)})` : `optional(${v.elem === 'sequence' ? 'sequence(' + v.elemDtype + ')' : v.elemDtype}, empty)`;
}
