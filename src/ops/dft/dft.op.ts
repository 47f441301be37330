import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { normalizeAxis } from '../../tensor/shape.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp, type InferInput } from '../op.js';

export interface DftGeometry { axis: number; length: number; inverse: boolean; onesided: boolean }

/** Transform axis and length from the inputs (opset 20 form; the importer moves opset 17's axis attribute to input 2). */
export function dftGeometry(shape: readonly number[], lengthIn: number | undefined, axisIn: number | undefined, inverse: number, onesided: number): DftGeometry {
  const axis = normalizeAxis(axisIn ?? -2, shape.length);
  if (axis === shape.length - 1) throw new ShapeError('axis must not be the last (real/imaginary) axis');
  const n = shape[axis]!;
  const length = lengthIn ?? (inverse && onesided ? 2 * (n - 1) : n);
  if (!(length >= 1)) throw new ShapeError(`dft_length must be ≥ 1, got ${length}`);
  return { axis, length, inverse: inverse !== 0, onesided: onesided !== 0 };
}

/** The value of an optional scalar integer input known at plan time (DFT's and STFT's lengths, axis). */
export const scalarOf = (t: InferInput | undefined, what: string): number | undefined => {
  if (!t) return undefined;
  const v = intsOf(t.value!, what);
  if (v.length !== 1) throw new ShapeError(`${what} must be a scalar, got [${t.shape.join(',')}]`);
  return v[0]!;
};

// y = the discrete Fourier transform of x along `axis`; x's last dim holds 1 (real) or 2 (real,
// imaginary) components. onesided keeps the first ⌊n/2⌋+1 bins of a forward transform; an
// inverse onesided transform takes those bins and returns a real signal (last dim 1).
export const DFT = defineOp({
  type: 'DFT',
  domain: '',
  attrs: { inverse: attr.int(0), onesided: attr.int(0) },
  inputs: [1, 3],
  outputs: [1, 1],
  dtypes: ['float32', 'float16'],
  valueInputs: [1, 2],
  infer: ([x, lengthIn, axisIn], { inverse, onesided }) => {
    const shape = x!.shape;
    const last = shape.at(-1);
    if (shape.length < 2 || (last !== 1 && last !== 2)) throw new ShapeError(`x's last dim must be 1 (real) or 2 (complex), got [${shape.join(',')}]`);
    const g = dftGeometry(shape, scalarOf(lengthIn, 'dft_length'), scalarOf(axisIn, 'axis'), inverse, onesided);
    const out = [...shape];
    out[g.axis] = !g.inverse && g.onesided ? Math.floor(g.length / 2) + 1 : g.length;
    out[shape.length - 1] = g.inverse && g.onesided ? 1 : 2;
    return [{ dtype: x!.dtype, shape: out }];
  },
});
