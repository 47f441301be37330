// Class labels of the ai.onnx.ml classifiers: exactly one of an int64 list and a string list, and
// the label output (tensor(int64) or tensor(string), one label per row) built from them.
import { GraphError, ShapeError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import type { TensorType } from '../op.js';

export interface ClassLabels {
  readonly dtype: 'int64' | 'string';
  readonly count: number;
  /** Label i as the output holds it. */
  at(i: number): bigint | string;
  /** The label for a raw class number where onnxruntime writes one (1 / 0, or "1" / "0"). */
  raw(n: 0 | 1): bigint | string;
}

/**
 * The labels from whichever of the two attributes is set; `intsName` is the op's name for the int
 * list (classlabels_ints for LinearClassifier and SVMClassifier, classlabels_int64s for trees).
 * Neither set is an error unless `optional`, which gives undefined.
 */
export function classLabels(ints: readonly number[] | undefined, strings: readonly string[] | undefined, intsName: string): ClassLabels;
export function classLabels(ints: readonly number[] | undefined, strings: readonly string[] | undefined, intsName: string, optional: true): ClassLabels | undefined;
export function classLabels(ints: readonly number[] | undefined, strings: readonly string[] | undefined, intsName: string, optional = false): ClassLabels | undefined {
  const hasInts = !!ints && ints.length > 0;
  const hasStrings = !!strings && strings.length > 0;
  if (!hasInts && !hasStrings && optional) return undefined;
  if (hasInts === hasStrings) {
    throw new GraphError(`exactly one of ${intsName} and classlabels_strings must list the class labels; ${hasInts ? 'both do' : 'neither does'}`);
  }
  if (hasStrings) return { dtype: 'string', count: strings!.length, at: (i) => strings![i]!, raw: (n) => String(n) };
  const big = ints!.map((v) => BigInt(v));
  return { dtype: 'int64', count: big.length, at: (i) => big[i]!, raw: (n) => BigInt(n) };
}

/** The label output: one label per row, [rows]. */
export function labelTensor(labels: ClassLabels, values: readonly (bigint | string)[]): Tensor {
  if (labels.dtype === 'string') return new Tensor('string', [values.length], values as string[]);
  return new Tensor('int64', [values.length], BigInt64Array.from(values as bigint[]));
}

/** [rows, features] of a classifier's or regressor's X: [C] is one row (unless `only2d`), [N, C] is N rows. */
export function rowsOf(shape: readonly number[], op: string, only2d = false): [number, number] {
  if (shape.length === 1 && !only2d) return [1, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  throw new ShapeError(`${op} takes X of shape [N, features]${only2d ? '' : ' or [features]'}, got [${shape.join(',')}]`);
}

/** A classifier's output types: Y, the label of each of n rows, then Z, its width scores a row (as many as asked for). */
export function classifierOutputs(n: number, labelDtype: DType, width: number, outputCount: number): TensorType[] {
  return [{ dtype: labelDtype, shape: [n] }, { dtype: 'float32' as const, shape: [n, width] }].slice(0, outputCount);
}
