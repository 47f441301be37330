import { ShapeError, UnsupportedError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { ML_DOMAIN } from '../ml-binarizer/ml-binarizer.op.js';

const TYPES = ['float32', 'int32', 'int64'];

/** Rows and values per row of one input: [C] is one row, [N, ...] is N rows of the rest. */
export function rowsAndWidth(shape: readonly number[]): [number, number] {
  if (shape.length === 1) return [1, shape[0]!];
  return [shape[0]!, shape.slice(1).reduce((p, d) => p * d, 1)];
}

// ai.onnx.ml FeatureVectorizer: concatenates the rows of its inputs (all of one dtype), input i taking
// inputdimensions[i] columns (its extra values dropped, missing ones zero) and cast to float.
// X_i [N, ...] or [C] → Y [N, Σ inputdimensions] float32.
export const FeatureVectorizer = defineOp({
  type: 'FeatureVectorizer',
  domain: ML_DOMAIN,
  attrs: { inputdimensions: attr.ints() },
  inputs: [1, Infinity],
  outputs: [1, 1],
  infer: (xs, a) => {
    const dims = a.inputdimensions;
    if (dims.length !== xs.length) throw new ShapeError(`inputdimensions has ${dims.length} entries for ${xs.length} inputs`);
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`inputdimensions must be counts ≥ 0, got [${dims.join(',')}]`);
    let rows = -1;
    xs.forEach((x, i) => {
      if (!TYPES.includes(x!.dtype)) throw new UnsupportedError(`input ${i} is ${x!.dtype}; FeatureVectorizer takes ${TYPES.join(', ')}`);
      if (x!.dtype !== xs[0]!.dtype) throw new ShapeError(`input ${i} is ${x!.dtype} and input 0 ${xs[0]!.dtype}; all inputs must have one element type`);
      if (x!.shape.length === 0) throw new ShapeError(`input ${i} is a scalar; inputs are [N, C] or [C]`);
      const [n] = rowsAndWidth(x!.shape);
      if (rows >= 0 && n !== rows) throw new ShapeError(`input ${i} has ${n} rows and input 0 has ${rows}; all inputs need the same rows`);
      rows = n;
    });
    return [{ dtype: 'float32', shape: [rows, dims.reduce((p, d) => p + d, 0)] }];
  },
});
