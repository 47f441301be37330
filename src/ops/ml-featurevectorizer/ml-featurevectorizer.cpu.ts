import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { rowsAndWidth, type FeatureVectorizer } from './ml-featurevectorizer.op.js';

export const featureVectorizerCpu: CpuKernel<typeof FeatureVectorizer.attrs> = (xs, { inputdimensions }, [y]) => {
  const [rows, total] = y!.shape as [number, number];
  const out = new Float32Array(rows * total);
  let offset = 0;
  xs.forEach((x, i) => {
    const [, width] = rowsAndWidth(x!.shape);
    const take = Math.min(width, inputdimensions[i]!);
    const v = x!.numeric();
    for (let r = 0; r < rows; r++) for (let k = 0; k < take; k++) out[r * total + offset + k] = v[r * width + k]!;
    offset += inputdimensions[i]!;
  });
  return [new Tensor('float32', y!.shape, out)];
};
