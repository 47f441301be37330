import { elementCount } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { ConstantOfShape } from './constantofshape.op.js';

// Every output element copies the value's single element (exact for every dtype).
export const constantOfShapeCpu: CpuKernel<typeof ConstantOfShape.attrs> = (_inputs, { value }, [out]) => {
  const one = value ? value.reshape([1]) : Tensor.fromNumeric('float32', [1], [0]);
  return [takeElements(one, out!.shape, new Int32Array(elementCount(out!.shape)))];
};
