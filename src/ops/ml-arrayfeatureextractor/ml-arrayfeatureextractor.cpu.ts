import { ShapeError } from '../../errors.js';
import { takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import type { ArrayFeatureExtractor } from './ml-arrayfeatureextractor.op.js';

export const arrayFeatureExtractorCpu: CpuKernel<typeof ArrayFeatureExtractor.attrs> = ([x, indices], _attrs, [z]) => {
  const features = x!.shape[x!.rank - 1]!;
  const picks = indices!.toNumbers();
  picks.forEach((i, k) => {
    if (!Number.isInteger(i) || i < 0 || i >= features) throw new ShapeError(`indices[${k}] = ${i} is outside 0..${features - 1} (X's last axis)`);
  });
  const rows = x!.size / Math.max(features, 1);
  const source = new Int32Array(rows * picks.length);
  for (let r = 0; r < rows; r++) picks.forEach((i, k) => { source[r * picks.length + k] = r * features + i; });
  return [takeElements(x!, z!.shape, source)];
};
