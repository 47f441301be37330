// Elementwise ops over one or more inputs with multidirectional broadcasting: Max, Min, Sum, Mean.
import { ShapeError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { FLOAT_TYPES, NUMERIC_TYPES } from '../dtype-groups.js';
import { defineOp, type OpDef } from '../op.js';

function variadic(type: string, dtypes: readonly DType[]): OpDef<Record<string, never>> {
  return defineOp({
    type, domain: '', attrs: {}, inputs: [1, Infinity], outputs: [1, 1], dtypes,
    infer: (inputs) => {
      const dtype = inputs[0]!.dtype;
      const other = inputs.find((x) => x!.dtype !== dtype);
      if (other) throw new ShapeError(`inputs must have the same dtype, got ${dtype} and ${other.dtype}`);
      return [{ dtype, shape: broadcastShapes(...inputs.map((x) => x!.shape)) }];
    },
  });
}

export const Max = variadic('Max', NUMERIC_TYPES);
export const Min = variadic('Min', NUMERIC_TYPES);
export const Sum = variadic('Sum', FLOAT_TYPES);
export const Mean = variadic('Mean', FLOAT_TYPES);
