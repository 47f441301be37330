import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { nmsSelection, type NonMaxSuppression } from './nonmaxsuppression.op.js';

export const nonMaxSuppressionCpu: CpuKernel<typeof NonMaxSuppression.attrs> = (inputs, { center_point_box }, [out]) =>
  [Tensor.fromNumeric('int64', out!.shape, nmsSelection(inputs, center_point_box).flat())];
