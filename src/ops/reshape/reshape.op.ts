import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { elementCount } from '../../tensor/shape.js';
import { intsOf } from '../_kernels/axes.js';
import { defineOp } from '../op.js';

/**
 * The target shape: 0 copies the input dim at the same index (unless allowzero, where 0 is a
 * zero-sized dim), and one -1 takes whatever size makes the element counts match.
 */
function reshapeTo(input: readonly number[], spec: number[], allowzero: boolean): number[] {
  if (allowzero && spec.includes(0) && spec.includes(-1)) {
    throw new ShapeError(`shape [${spec.join(',')}] has both 0 and -1, which allowzero=1 forbids`);
  }
  let inferAt = -1;
  const out = spec.map((d, i) => {
    if (d === -1) {
      if (inferAt >= 0) throw new ShapeError(`shape [${spec.join(',')}] has more than one -1`);
      inferAt = i;
      return 1;
    }
    if (d < -1) throw new ShapeError(`shape [${spec.join(',')}] has an invalid dim ${d}`);
    if (d === 0 && !allowzero) {
      if (i >= input.length) throw new ShapeError(`shape [${spec.join(',')}] copies dim ${i} (0) but the input has rank ${input.length}`);
      return input[i]!;
    }
    return d;
  });
  const total = elementCount(input);
  if (inferAt >= 0) {
    const known = elementCount(out);
    if (known === 0 || total % known !== 0) {
      throw new ShapeError(`cannot reshape [${input.join(',')}] (${total} elements) to [${spec.join(',')}]`);
    }
    out[inferAt] = total / known;
  }
  if (elementCount(out) !== total) throw new ShapeError(`cannot reshape [${input.join(',')}] (${total} elements) to [${out.join(',')}]`);
  return out;
}

export const Reshape = defineOp({
  type: 'Reshape',
  domain: '',
  strings: true,
  attrs: { allowzero: attr.int(0) },
  inputs: [2, 2],
  outputs: [1, 1],
  valueInputs: [1],
  infer: ([x, shape], { allowzero }) => [
    { dtype: x!.dtype, shape: reshapeTo(x!.shape, intsOf(shape!.value!, 'shape'), allowzero !== 0) },
  ],
});
