import { ExecutionError } from '../../errors.js';
import { allocNumeric } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import type { Dropout } from './dropout.op.js';
import { mulberry32 } from '../../tensor/random.js';

// In training mode each element is kept with probability 1 − ratio and scaled by 1/(1 − ratio).
// The spec leaves the generator to the runtime: a given seed repeats nnrt's own draws only.
export const dropoutCpu: CpuKernel<typeof Dropout.attrs> = ([x, r, t], { seed }, outs) => {
  const training = t ? t.numeric()[0] !== 0 : false;
  const ratio = r ? r.numeric()[0]! : 0.5;
  const keep = new Uint8Array(x!.size).fill(1);
  let y = x!;
  if (training) {
    if (!(ratio >= 0 && ratio < 1)) throw new ExecutionError(`ratio must be in [0, 1) in training mode, got ${ratio}`);
    const uniform = mulberry32(seed ?? Math.floor(Math.random() * 2 ** 32));
    for (let i = 0; i < keep.length; i++) keep[i] = uniform() >= ratio ? 1 : 0;
    const scale = 1 / (1 - ratio);
    const v = x!.numeric();
    const kept = allocNumeric(outs[0]!.dtype, v.length);
    for (let i = 0; i < v.length; i++) kept[i] = keep[i] ? v[i]! * scale : 0;
    y = numericResult(outs[0]!, kept);
  }
  return outs.length === 2 ? [y, new Tensor('bool', outs[1]!.shape, keep)] : [y];
};
