// Integer matrix products with zero points (MatMulInteger, QLinearMatMul): numpy matmul shapes
// and batch broadcasting, (a - a_zero_point)·(b - b_zero_point) accumulated in int32.
import { ShapeError } from '../../errors.js';
import type { NumericArray } from '../../tensor/dtype.js';
import { broadcastShapes, broadcastStrides, elementCount, stridesOf, type Shape } from '../../tensor/shape.js';

/** numpy matmul's output shape (1-D operands are promoted, then their added dim dropped). */
export function matmulShape(a: Shape, b: Shape): number[] {
  if (a.length === 0 || b.length === 0) throw new ShapeError('matmul operands must have rank ≥ 1');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k = a2[a2.length - 1]!;
  if (b2[b2.length - 2] !== k) {
    throw new ShapeError(`matmul inner dims differ: a [${a.join(',')}] has ${k}, b [${b.join(',')}] has ${b2[b2.length - 2]}`);
  }
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return out;
}

/**
 * How a zero point (or scale) of shape `p` applies to a matmul operand of shape `x`: one value,
 * one per row of a (1-D [M], or x's shape with K → 1) or one per column of b (1-D [N], or x's
 * shape with K → 1). `lanes` is M for a, N for b.
 */
export type LaneParam = 'tensor' | 'lane' | 'batched';

export function laneParam(p: Shape, x: Shape, side: 'a' | 'b', what: string): LaneParam {
  const size = elementCount(p);
  if (size === 1) return 'tensor';
  const lanes = side === 'a' ? (x.length > 1 ? x[x.length - 2]! : 1) : (x.length > 1 ? x[x.length - 1]! : 1);
  if (p.length === 1 && p[0] === lanes) return 'lane';
  const kAxis = side === 'a' ? x.length - 1 : x.length - 2;
  if (p.length === x.length && x.length > 2 && p.every((d, i) => d === (i === kAxis ? 1 : x[i]))) return 'batched';
  const kind = side === 'a' ? 'per row of a' : 'per column of b';
  throw new ShapeError(`${what} of shape [${p.join(',')}] must be a scalar or have ${lanes} elements (${kind}) for operand [${x.join(',')}]`);
}

/** x - zero point as int32, the zero point applied per tensor, per lane or per batch and lane. */
export function subtractZeroPoint(x: NumericArray, shape: Shape, zp: NumericArray | undefined, kind: LaneParam, side: 'a' | 'b'): Int32Array {
  const out = Int32Array.from(x);
  if (!zp) return out;
  // a 1-D a is one row of K; a 1-D b is one column of K
  const rows = shape.length > 1 ? shape[shape.length - 2]! : side === 'a' ? 1 : shape[0]!;
  const cols = shape.length > 1 || side === 'a' ? shape[shape.length - 1]! : 1;
  for (let i = 0; i < out.length; i++) {
    const lane = side === 'a' ? Math.floor(i / cols) % rows : i % cols;
    const matrix = Math.floor(i / (rows * cols));
    const idx = kind === 'tensor' ? 0 : kind === 'lane' ? lane : matrix * (side === 'a' ? rows : cols) + lane;
    out[i] = out[i]! - zp[idx]!;
  }
  return out;
}

/**
 * Batched int32 matmul of already zero-point-shifted operands; the result has numpy matmul's
 * shape `outShape` and wraps on int32 overflow like the reference implementations.
 */
export function int32MatMul(a: Int32Array, aShape: Shape, b: Int32Array, bShape: Shape, outShape: Shape): Int32Array {
  const a2 = aShape.length === 1 ? [1, aShape[0]!] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0]!, 1] : bShape;
  const m = a2[a2.length - 2]!;
  const k = a2[a2.length - 1]!;
  const n = b2[b2.length - 1]!;
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  const aStr = broadcastStrides(a2.slice(0, -2), batch);
  const bStr = broadcastStrides(b2.slice(0, -2), batch);
  const batchStr = stridesOf(batch);
  const count = elementCount(batch);
  const out = new Int32Array(elementCount(outShape));
  const row = new Int32Array(n);
  for (let t = 0; t < count; t++) {
    let aOff = 0;
    let bOff = 0;
    for (let d = 0; d < batch.length; d++) {
      const idx = Math.floor(t / batchStr[d]!) % batch[d]!;
      aOff += idx * aStr[d]!;
      bOff += idx * bStr[d]!;
    }
    aOff *= m * k;
    bOff *= k * n;
    // i-k-j order: b's rows are read contiguously and the row accumulator stays in cache.
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const av = a[aOff + i * k + p]!;
        if (av === 0) continue;
        const bRow = bOff + p * n;
        for (let j = 0; j < n; j++) row[j] = row[j]! + Math.imul(av, b[bRow + j]!);
      }
      out.set(row, (t * m + i) * n);
    }
  }
  return out;
}
