import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { castTarget } from '../cast/cast.op.js';
import { defineOp, type OpDef } from '../op.js';

const windowAttrs = { output_datatype: attr.int(1), periodic: attr.int(1) };

/** The window length a scalar `size` input holds. */
export function windowLength(size: { toNumbers(): number[] }): number {
  const v = size.toNumbers();
  if (v.length !== 1 || !Number.isInteger(v[0]) || v[0]! < 0) throw new ShapeError(`size must be one non-negative integer, got [${v.join(',')}]`);
  return v[0]!;
}

// Spectral windows of opset 17: w[n] for n < size over N = size (periodic) or size − 1 (symmetric),
// of element type `output_datatype`.
function spectralWindow(type: string): OpDef<typeof windowAttrs> {
  return defineOp({
    type, domain: '', attrs: windowAttrs, inputs: [1, 1], outputs: [1, 1], dtypes: ['int32', 'int64'], valueInputs: [0],
    infer: ([size], { output_datatype }) => [{ dtype: castTarget(output_datatype).dtype, shape: [windowLength(size!.value!)] }],
  });
}

export const HannWindow = spectralWindow('HannWindow');
export const HammingWindow = spectralWindow('HammingWindow');
export const BlackmanWindow = spectralWindow('BlackmanWindow');
