import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { castTarget } from '../cast/cast.op.js';
import { defineOp } from '../op.js';

/** The one value of a scalar input. */
export function scalarOf(t: { toNumbers(): number[] }, what: string): number {
  const v = t.toNumbers();
  if (v.length !== 1) throw new ShapeError(`${what} must be a scalar, got ${v.length} values`);
  return v[0]!;
}

// MelWeightMatrix-17: [⌊dft_length/2⌋ + 1, num_mel_bins] triangular filters spaced evenly on the
// mel scale between lower_edge_hertz and upper_edge_hertz (inputs 0..4), of type output_datatype.
export const MelWeightMatrix = defineOp({
  type: 'MelWeightMatrix', domain: '', attrs: { output_datatype: attr.int(1) }, inputs: [5, 5], outputs: [1, 1],
  valueInputs: [0, 1],
  infer: ([bins, dft], { output_datatype }) => {
    const melBins = scalarOf(bins!.value!, 'num_mel_bins');
    const length = scalarOf(dft!.value!, 'dft_length');
    if (!(melBins >= 1) || !(length >= 1)) throw new ShapeError(`num_mel_bins (${melBins}) and dft_length (${length}) must be positive`);
    return [{ dtype: castTarget(output_datatype).dtype, shape: [Math.floor(length / 2) + 1, melBins] }];
  },
});
