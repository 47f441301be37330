import { UnsupportedError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { FILL, sourceIndices, takeElements } from '../_kernels/index-map.js';
import type { CpuKernel } from '../op.js';
import { padAmounts, type Pad, type PAD_MODES } from './pad.op.js';

type Mode = (typeof PAD_MODES)[number];

/**
 * Input coordinate read by output coordinate `o` along one axis, or FILL. Negative pads crop
 * first; reflect, edge and wrap then index the cropped extent [crop, crop + len).
 */
function sourceCoord(o: number, padBefore: number, crop: number, len: number, mode: Mode): number {
  let i = o - padBefore;
  if (i < 0 || i >= len) {
    if (mode === 'constant') return FILL;
    if (len === 0) throw new UnsupportedError(`${mode} padding needs at least one input element along each padded axis`);
    if (mode === 'edge') i = Math.min(Math.max(i, 0), len - 1);
    else if (mode === 'wrap') i = ((i % len) + len) % len;
    else if (len === 1) i = 0;
    else {
      // reflect without repeating the edge: period 2(len-1), mirrored in its second half
      const period = 2 * (len - 1);
      i = ((i % period) + period) % period;
      if (i >= len) i = period - i;
    }
  }
  return crop + i;
}

export const padCpu: CpuKernel<typeof Pad.attrs> = (inputs, { mode }, [out]) => {
  const x = inputs[0]!;
  const { begin, end } = padAmounts(x.shape, inputs.map((t) => t && { dtype: t.dtype, shape: t.shape, value: t }));
  const strides = x.strides;
  const offsets = out!.shape.map((n, k) => {
    const crop = Math.max(0, -begin[k]!);
    const len = x.shape[k]! - crop - Math.max(0, -end[k]!);
    return Int32Array.from({ length: n }, (_, o) => {
      const c = sourceCoord(o, Math.max(0, begin[k]!), crop, len, mode);
      return c === FILL ? FILL : c * strides[k]!;
    });
  });
  // the fill may come in another numeric dtype (older opsets carried it as a float attribute)
  const value = inputs[2];
  const fill = value && value.dtype !== x.dtype ? Tensor.fromNumeric(x.dtype, [], [value.numeric()[0]!]) : value;
  return [takeElements(x, out!.shape, sourceIndices(out!.shape, offsets), fill)];
};
