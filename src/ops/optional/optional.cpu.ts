import { ExecutionError, ShapeError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { OptionalValue, TensorSequence } from '../../tensor/value.js';
import type { HostKernel } from '../op.js';
import type { Optional, OptionalGetElement, OptionalHasElement } from './optional.op.js';

export const optionalCpu: HostKernel<typeof Optional.attrs> = ([x], { type }) => {
  if (x instanceof Tensor) return [new OptionalValue('tensor', x.dtype, x)];
  if (x instanceof TensorSequence) return [new OptionalValue('sequence', x.elemDtype, x)];
  if (x) throw new ShapeError('an optional cannot hold an optional');
  if (!type) throw new ShapeError("an empty Optional needs the 'type' attribute");
  if (type.kind !== 'tensor' && type.kind !== 'sequence') throw new ShapeError(`an optional cannot hold a ${type.kind}`);
  return [new OptionalValue(type.kind, type.dtype, undefined)];
};

export const optionalHasElementCpu: HostKernel<typeof OptionalHasElement.attrs> = ([x]) => {
  const has = x instanceof OptionalValue ? x.value !== undefined : x !== undefined;
  return [Tensor.fromNumeric('bool', [], [has ? 1 : 0])];
};

export const optionalGetElementCpu: HostKernel<typeof OptionalGetElement.attrs> = ([x]) => {
  if (!(x instanceof OptionalValue)) return [x!];
  if (!x.value) throw new ExecutionError('the optional is empty', { hint: 'test it with OptionalHasElement first' });
  return [x.value];
};
