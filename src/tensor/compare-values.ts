import { compareTensors, type Comparison, type Tolerance } from './compare.js';
import { Tensor } from './tensor.js';
import { describeValue, TensorSequence, type Value } from './value.js';

/** compareTensors over any value: sequences element by element, optionals by presence then content. */
export function compareValues(got: Value, want: Value, tol: Tolerance): Comparison {
  const fail = (reason: string): Comparison => ({ pass: false, reason, maxAbsError: 0, maxRelError: 0, mismatches: 1 });
  if (want instanceof Tensor) return got instanceof Tensor ? compareTensors(got, want, tol) : fail(`got ${describeValue(got)}, expected a tensor`);
  if (want instanceof TensorSequence) {
    if (!(got instanceof TensorSequence)) return fail(`got ${describeValue(got)}, expected ${describeValue(want)}`);
    if (got.tensors.length !== want.tensors.length) return fail(`sequence of ${got.tensors.length} vs expected ${want.tensors.length}`);
    const parts = want.tensors.map((w, i) => compareTensors(got.tensors[i]!, w, tol));
    const bad = parts.findIndex((p) => !p.pass);
    const sum: Comparison = {
      pass: bad < 0,
      maxAbsError: Math.max(0, ...parts.map((p) => p.maxAbsError)),
      maxRelError: Math.max(0, ...parts.map((p) => p.maxRelError)),
      mismatches: parts.reduce((s, p) => s + p.mismatches, 0),
    };
    if (bad >= 0) sum.reason = `element ${bad}: ${parts[bad]!.reason ?? `${parts[bad]!.mismatches} mismatches`}`;
    return sum;
  }
  if (got instanceof Tensor || got instanceof TensorSequence) return fail(`got ${describeValue(got)}, expected ${describeValue(want)}`);
  if (!want.value || !got.value) {
    return !want.value && !got.value ? { pass: true, maxAbsError: 0, maxRelError: 0, mismatches: 0 } : fail(`got ${describeValue(got)}, expected ${describeValue(want)}`);
  }
  return compareValues(got.value, want.value, tol);
}
