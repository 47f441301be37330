// The filter bank as ONNX defines it: num_mel_bins + 2 points evenly spaced in mel, mapped to
// spectrogram bins ⌊(dft_length + 1)·f / sample_rate⌋; filter i rises from point i to i + 1 and
// falls to i + 2.
import { allocNumeric } from '../../tensor/dtype.js';
import { numericResult } from '../_kernels/elementwise.js';
import type { CpuKernel } from '../op.js';
import { scalarOf, type MelWeightMatrix } from './melweightmatrix.op.js';

const toMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const toHz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

export const melWeightMatrixCpu: CpuKernel<typeof MelWeightMatrix.attrs> = ([bins, dft, rate, lower, upper], _attrs, [out]) => {
  const melBins = scalarOf(bins!, 'num_mel_bins');
  const length = scalarOf(dft!, 'dft_length');
  const sampleRate = scalarOf(rate!, 'sample_rate');
  const [rows] = out!.shape as [number];
  const lowMel = toMel(scalarOf(lower!, 'lower_edge_hertz'));
  const step = (toMel(scalarOf(upper!, 'upper_edge_hertz')) - lowMel) / (melBins + 2);
  const points = Array.from({ length: melBins + 2 }, (_, i) => Math.floor(((length + 1) * toHz(i * step + lowMel)) / sampleRate));
  const y = allocNumeric(out!.dtype, rows * melBins);
  const set = (row: number, col: number, v: number) => {
    if (row >= 0 && row < rows) y[row * melBins + col] = v;
  };
  for (let i = 0; i < melBins; i++) {
    const [left, center, right] = [points[i]!, points[i + 1]!, points[i + 2]!];
    if (center === left) set(center, i, 1);
    else for (let j = left; j <= center; j++) set(j, i, (j - left) / (center - left));
    if (right > center) for (let j = center; j < right; j++) set(j, i, (right - j) / (right - center));
  }
  return [numericResult(out!, y)];
};
