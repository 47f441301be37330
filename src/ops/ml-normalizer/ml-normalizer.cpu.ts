import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import type { Normalizer } from './ml-normalizer.op.js';

export const normalizerCpu: CpuKernel<typeof Normalizer.attrs> = ([x], { norm }, [y]) => {
  const len = x!.shape[x!.rank - 1]!;
  const xs = x!.numeric();
  const out = new Float32Array(xs.length);
  const rows = len === 0 ? 0 : xs.length / len;
  for (let r = 0; r < rows; r++) {
    const at = (k: number) => r * len + k;
    let divisor = 0;
    if (norm === 'MAX') {
      divisor = -3.4028234663852886e38; // float32's lowest, onnxruntime's start
      for (let k = 0; k < len; k++) if (xs[at(k)]! > divisor) divisor = xs[at(k)]!; // NaN never wins (as std::max)
    } else if (norm === 'L1') {
      for (let k = 0; k < len; k++) divisor += Math.abs(xs[at(k)]!);
    } else {
      for (let k = 0; k < len; k++) divisor += xs[at(k)]! * xs[at(k)]!;
    }
    for (let k = 0; k < len; k++) {
      const v = xs[at(k)]!;
      if (divisor === 0) out[at(k)] = v;
      else if (norm === 'L2') out[at(k)] = (v < 0 ? -1 : 1) * Math.sqrt((v * v) / divisor);
      else out[at(k)] = v / divisor;
    }
  }
  return [new Tensor('float32', y!.shape, out)];
};
