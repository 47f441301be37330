import type { Tensor } from './tensor.js';
import { sameShape } from './shape.js';

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** The default fp32 tolerance of `nnrt verify` and the conformance suite. */
export const FP32_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-3 };

export interface Comparison {
  pass: boolean;
  /** Why it failed when it did not compare numerically (shape or dtype differ). */
  reason?: string;
  maxAbsError: number;
  /** max |got − want| / |want| over elements with want ≠ 0. */
  maxRelError: number;
  /** Elements failing |got − want| ≤ atol + rtol·|want|. */
  mismatches: number;
  /**
   * Of `mismatches`, those where NaN or ±Inf is on one side and not the other (their error is not
   * a number: maxAbsError is Infinity when there is one).
   */
  nonFiniteMismatches?: number;
  firstMismatch?: { index: number; got: number; want: number };
  /**
   * Float tensors: cosine similarity of got and want over the elements finite on both sides (1
   * when both are all zeros): the usual whole-output check of reduced-precision hidden states.
   */
  cosine?: number;
}

/**
 * Element-wise closeness: pass when |got − want| ≤ atol + rtol·|want| everywhere (numpy's
 * allclose). NaN equals NaN; infinities must match exactly. Integer and bool tensors compare exactly
 * when both tolerances are zero, else numerically.
 */
export function compareTensors(got: Tensor, want: Tensor, tol: Tolerance): Comparison {
  const base = { maxAbsError: 0, maxRelError: 0, mismatches: 0, nonFiniteMismatches: 0 };
  if (!sameShape(got.shape, want.shape) && !(got.size === want.size && got.size <= 1)) {
    return { ...base, pass: false, reason: `shape [${got.shape.join(',')}] vs expected [${want.shape.join(',')}]`, mismatches: want.size };
  }
  if (got.dtype === 'string' || want.dtype === 'string') return compareStrings(got, want);
  const a = got.numeric();
  const b = want.numeric();
  let maxAbs = 0;
  let maxRel = 0;
  let bad = 0;
  let nonFinite = 0;
  let first: Comparison['firstMismatch'];
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    let ok: boolean;
    let err = 0;
    if (Number.isNaN(y)) ok = Number.isNaN(x);
    else if (!Number.isFinite(y)) ok = x === y;
    else {
      if (Number.isFinite(x)) {
        dot += x * y;
        nx += x * x;
        ny += y * y;
      }
      err = Math.abs(x - y);
      ok = err <= tol.atol + tol.rtol * Math.abs(y);
      if (Number.isNaN(err)) ok = false;
      if (err > maxAbs || Number.isNaN(err)) maxAbs = Number.isNaN(err) ? Infinity : err;
      if (y !== 0 && err / Math.abs(y) > maxRel) maxRel = err / Math.abs(y);
    }
    if (!ok && (!Number.isFinite(x) || !Number.isFinite(y))) {
      nonFinite++;
      maxAbs = Infinity;
    }
    if (!ok) {
      bad++;
      if (!first) first = { index: i, got: x, want: y };
    }
  }
  const out: Comparison = { pass: bad === 0, maxAbsError: maxAbs, maxRelError: maxRel, mismatches: bad, nonFiniteMismatches: nonFinite };
  if (first) out.firstMismatch = first;
  if (FLOAT_DTYPES.has(want.dtype)) out.cosine = nx > 0 && ny > 0 ? dot / Math.sqrt(nx * ny) : nx === ny ? 1 : 0;
  if (got.dtype !== want.dtype) {
    out.pass = false;
    out.reason = `dtype ${got.dtype} vs expected ${want.dtype}`;
  }
  return out;
}

const FLOAT_DTYPES = new Set<string>(['float32', 'float16']);

/** String tensors compare exactly, element by element. */
function compareStrings(got: Tensor, want: Tensor): Comparison {
  const base = { maxAbsError: 0, maxRelError: 0 };
  if (got.dtype !== want.dtype) return { ...base, pass: false, reason: `dtype ${got.dtype} vs expected ${want.dtype}`, mismatches: want.size };
  const a = got.data as string[];
  const b = want.data as string[];
  const bad = b.findIndex((s, i) => a[i] !== s);
  if (bad < 0) return { ...base, pass: true, mismatches: 0 };
  return { ...base, pass: false, reason: `element ${bad} is ${JSON.stringify(a[bad])}, expected ${JSON.stringify(b[bad])}`, mismatches: b.filter((s, i) => a[i] !== s).length };
}
