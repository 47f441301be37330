import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { splitString } from './split-string.js';
import type { StringSplit } from './stringsplit.op.js';

export const stringSplitCpu: CpuKernel<typeof StringSplit.attrs> = ([x], { delimiter, maxsplit }, [y, z]) => {
  const width = y!.shape[y!.shape.length - 1]!;
  const src = x!.data as string[];
  const pieces = new Array<string>(src.length * width).fill('');
  const counts = new BigInt64Array(src.length);
  src.forEach((s, i) => {
    const parts = splitString(s, delimiter, maxsplit);
    counts[i] = BigInt(parts.length);
    parts.forEach((p, k) => (pieces[i * width + k] = p));
  });
  return [new Tensor('string', y!.shape, pieces), new Tensor('int64', z!.shape, counts)];
};
