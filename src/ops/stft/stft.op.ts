import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { scalarOf } from '../dft/dft.op.js';
import { defineOp } from '../op.js';

/** Frame length and count, shared by the shape function and the kernel. */
export function stftFrames(signalLength: number, step: number, frameLength: number): number {
  if (step < 1) throw new ShapeError(`frame_step must be ≥ 1, got ${step}`);
  if (frameLength < 1 || frameLength > signalLength) throw new ShapeError(`frame_length ${frameLength} must be in [1, ${signalLength}] (the signal length)`);
  return 1 + Math.floor((signalLength - frameLength) / step);
}

// Short-time Fourier transform (opset 17): y[b, f, k] = DFT of signal[b, f·step .. f·step + L)
// weighted by `window` (ones by default); signal is [batch, length, 1 or 2], y is
// [batch, frames, bins, 2] with bins = ⌊L/2⌋+1 when onesided.
export const STFT = defineOp({
  type: 'STFT',
  domain: '',
  attrs: { onesided: attr.int(1) },
  inputs: [2, 4],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  valueInputs: [1, 3],
  infer: ([signal, stepIn, window, lengthIn], { onesided }) => {
    const s = signal!.shape;
    if (s.length !== 3 || (s[2] !== 1 && s[2] !== 2)) throw new ShapeError(`signal must be [batch, length, 1 or 2], got [${s.join(',')}]`);
    if (window && window.shape.length !== 1) throw new ShapeError(`window must be 1-D, got [${window.shape.join(',')}]`);
    const length = scalarOf(lengthIn, 'frame_length') ?? window?.shape[0] ?? s[1]!;
    if (window && window.shape[0] !== length) throw new ShapeError(`window has ${window.shape[0]} entries; frame_length is ${length}`);
    const frames = stftFrames(s[1]!, scalarOf(stepIn, 'frame_step')!, length);
    return [{ dtype: signal!.dtype, shape: [s[0]!, frames, onesided ? Math.floor(length / 2) + 1 : length, 2] }];
  },
});
