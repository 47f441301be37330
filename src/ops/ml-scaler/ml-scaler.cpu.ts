import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { Scaler } from './ml-scaler.op.js';

// float32 arithmetic, one rounding per step as onnxruntime computes it
export const scalerCpu: CpuKernel<typeof Scaler.attrs> = ([x], { offset, scale }, [y]) => {
  const xs = x!.numeric();
  const width = scale.length;
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const k = width === 1 ? 0 : i % width;
    out[i] = Math.fround(Math.fround(xs[i]! - offset[k]!) * scale[k]!);
  }
  return [new Tensor('float32', y!.shape, out)];
};
