import { ExecutionError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { OneHotEncoder } from './ml-onehotencoder.op.js';

export const oneHotEncoderCpu: CpuKernel<typeof OneHotEncoder.attrs> = ([x], a, [y]) => {
  const strings = x!.dtype === 'string';
  // a category listed twice maps to its last index (as onnxruntime)
  const index = new Map<string | number, number>();
  (strings ? a.cats_strings : a.cats_int64s).forEach((c, i) => index.set(c, i));
  const width = index.size === 0 ? 0 : y!.shape[y!.shape.length - 1]!;
  const keys: readonly (string | number)[] = strings ? (x!.data as string[]) : Array.from(x!.numeric(), Math.trunc);
  const out = new Float32Array(keys.length * width);
  keys.forEach((key, i) => {
    const at = index.get(key);
    if (at !== undefined) out[i * width + at] = 1;
    else if (!a.zeros) {
      throw new ExecutionError(`element ${i} of X (${strings ? JSON.stringify(key) : String(key)}) is not one of the categories and zeros = 0`, {
        hint: 'list it in the categories, or set zeros = 1 to encode unknown values as all zeros',
      });
    }
  });
  return [new Tensor('float32', y!.shape, out)];
};
