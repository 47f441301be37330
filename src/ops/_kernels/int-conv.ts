// Integer convolution (ConvInteger, QLinearConv): ONNX Conv attributes and output geometry, and
// an int32 im2col + GEMM over zero-point-shifted operands.
import { ShapeError } from '../../errors.js';
import { attr, type AttrsOf } from '../../ir/attr.js';
import type { Shape } from '../../tensor/shape.js';
import { elementCount } from '../../tensor/shape.js';

export const convAttrs = {
  auto_pad: attr.string('NOTSET', ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const),
  dilations: attr.optional(attr.ints()),
  group: attr.int(1),
  kernel_shape: attr.optional(attr.ints()),
  pads: attr.optional(attr.ints()),
  strides: attr.optional(attr.ints()),
};
export type ConvAttrs = AttrsOf<typeof convAttrs>;

export interface ConvGeometry {
  /** [N, M, out spatial...] */
  outShape: number[];
  /** Leading pad of each spatial dim. */
  padBegin: number[];
  strides: number[];
  dilations: number[];
  kernel: number[];
}

/** Output shape and padding of an ONNX Conv with x [N, C, D...] and w [M, C/group, k...]. */
export function convGeometry(x: Shape, w: Shape, a: ConvAttrs): ConvGeometry {
  const r = x.length - 2;
  if (r < 1) throw new ShapeError(`x must have rank ≥ 3 ([N, C, spatial...]), got [${x.join(',')}]`);
  if (w.length !== x.length) throw new ShapeError(`w [${w.join(',')}] must have the rank of x [${x.join(',')}]`);
  const group = a.group;
  if (group < 1 || x[1]! % group !== 0 || w[0]! % group !== 0) {
    throw new ShapeError(`group ${group} must divide x's ${x[1]} channels and w's ${w[0]} filters`);
  }
  if (w[1]! * group !== x[1]) throw new ShapeError(`w [${w.join(',')}] expects ${w[1]! * group} input channels, x has ${x[1]}`);
  const kernel = w.slice(2);
  if (a.kernel_shape && a.kernel_shape.join(',') !== kernel.join(',')) {
    throw new ShapeError(`kernel_shape [${a.kernel_shape.join(',')}] differs from w's spatial dims [${kernel.join(',')}]`);
  }
  const strides = a.strides ?? new Array<number>(r).fill(1);
  const dilations = a.dilations ?? new Array<number>(r).fill(1);
  for (const [v, name] of [[strides, 'strides'], [dilations, 'dilations']] as const) {
    if (v.length !== r || v.some((s) => s < 1)) throw new ShapeError(`${name} [${v.join(',')}] must have ${r} positive values`);
  }
  const padBegin: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const size = x[i + 2]!;
    const span = (kernel[i]! - 1) * dilations[i]! + 1;
    let begin: number;
    let end: number;
    if (a.auto_pad === 'NOTSET') {
      const pads = a.pads ?? new Array<number>(2 * r).fill(0);
      if (pads.length !== 2 * r || pads.some((p) => p < 0)) throw new ShapeError(`pads [${pads.join(',')}] must have ${2 * r} non-negative values`);
      begin = pads[i]!;
      end = pads[i + r]!;
    } else if (a.auto_pad === 'VALID') {
      begin = end = 0;
    } else {
      const target = Math.ceil(size / strides[i]!);
      const total = Math.max(0, (target - 1) * strides[i]! + span - size);
      const small = Math.floor(total / 2);
      begin = a.auto_pad === 'SAME_UPPER' ? small : total - small;
      end = total - begin;
    }
    const o = Math.floor((size + begin + end - span) / strides[i]!) + 1;
    if (o < 1) throw new ShapeError(`spatial dim ${i} of size ${size} is smaller than the kernel span ${span} after padding`);
    padBegin.push(begin);
    out.push(o);
  }
  return { outShape: [x[0]!, w[0]!, ...out], padBegin, strides, dilations, kernel };
}

/**
 * Σ x'·w' over each filter's window in int32 (wrapping like the references), with x' and w'
 * already shifted by their zero points; padding contributes 0. Returns [N, M, out spatial...].
 */
export function int32Conv(x: Int32Array, xShape: Shape, w: Int32Array, wShape: Shape, group: number, g: ConvGeometry): Int32Array {
  const r = xShape.length - 2;
  const [n, c] = [xShape[0]!, xShape[1]!];
  const m = wShape[0]!;
  const inSpatial = xShape.slice(2);
  const outSpatial = g.outShape.slice(2);
  const inSize = inSpatial.reduce((p, d) => p * d, 1);
  const outSize = outSpatial.reduce((p, d) => p * d, 1);
  const kSize = g.kernel.reduce((p, d) => p * d, 1);
  const cg = c / group;
  const mg = m / group;
  const rows = cg * kSize;
  // For each (kernel offset, output position): the input's spatial offset, or -1 inside padding.
  const source = new Int32Array(kSize * outSize);
  const kc = new Array<number>(r).fill(0);
  for (let k = 0; k < kSize; k++) {
    let rem = k;
    for (let d = r - 1; d >= 0; d--) { kc[d] = rem % g.kernel[d]!; rem = Math.floor(rem / g.kernel[d]!); }
    for (let o = 0; o < outSize; o++) {
      let orem = o;
      let off = 0;
      let stride = 1;
      for (let d = r - 1; d >= 0 && off >= 0; d--) {
        const od = orem % outSpatial[d]!;
        orem = Math.floor(orem / outSpatial[d]!);
        const id = od * g.strides[d]! - g.padBegin[d]! + kc[d]! * g.dilations[d]!;
        if (id < 0 || id >= inSpatial[d]!) off = -1;
        else { off += id * stride; stride *= inSpatial[d]!; }
      }
      source[k * outSize + o] = off;
    }
  }
  const out = new Int32Array(n * m * outSize);
  const col = new Int32Array(rows * outSize);
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < group; gi++) {
      for (let ci = 0; ci < cg; ci++) {
        const base = (b * c + gi * cg + ci) * inSize;
        for (let k = 0; k < kSize; k++) {
          const row = (ci * kSize + k) * outSize;
          for (let o = 0; o < outSize; o++) {
            const off = source[k * outSize + o]!;
            col[row + o] = off < 0 ? 0 : x[base + off]!;
          }
        }
      }
      // GEMM [mg, rows] × [rows, outSize] in i-k-j order.
      for (let mi = 0; mi < mg; mi++) {
        const filter = (gi * mg + mi) * rows;
        const dst = (b * m + gi * mg + mi) * outSize;
        for (let p = 0; p < rows; p++) {
          const wv = w[filter + p]!;
          if (wv === 0) continue;
          const src = p * outSize;
          for (let o = 0; o < outSize; o++) out[dst + o] = out[dst + o]! + Math.imul(wv, col[src + o]!);
        }
      }
    }
  }
  return out;
}

/** w - w_zero_point as int32, the zero point per tensor (one value) or per output channel. */
export function shiftFilters(w: ArrayLike<number>, filters: number, zp: ArrayLike<number> | undefined): Int32Array {
  const out = Int32Array.from(w);
  if (!zp) return out;
  const per = out.length / filters;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! - zp[zp.length === 1 ? 0 : Math.floor(i / per)]!;
  return out;
}

/** Checks that a per-tensor-or-per-filter parameter has 1 or M elements. */
export function checkPerFilter(p: Shape, filters: number, what: string): void {
  const size = elementCount(p);
  if (size !== 1 && !(p.length === 1 && size === filters)) {
    throw new ShapeError(`${what} of shape [${p.join(',')}] must be a scalar or 1-D of ${filters} elements (one per output channel)`);
  }
}
