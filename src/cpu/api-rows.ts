// Row-wise and element-wise kernels on raw addresses (see kernel-api.ts): softmax / log-softmax
// and layer normalization over the last axis, per-channel affine maps (inference batch
// normalization), binary arithmetic over the common broadcast forms, and unary activations. Every
// one splits its rows (or elements) over the thread pool when the work is large enough.
import { activationCode, writeEpilogue, type Activation, type Epilogue } from './epilogue.js';
import { splitRange, threadsFor } from './parallel.js';
import type { KernelCall } from './thread-pool.js';
import type { WasmKernels } from './wasm-kernels.js';

/** Work units (about a multiply-add each) an element of these kernels counts for when splitting. */
const ROW_COST = 4;

/** y[r] = softmax(x[r]) over `cols` floats per row, or log-softmax (y may be x). */
export function softmax(wasm: WasmKernels, x: number, y: number, rows: number, cols: number, log = false): void {
  const parts = splitRange(rows, threadsFor(wasm, rows * cols * ROW_COST * 4));
  wasm.run(parts.map(([r0, rc]) => [['softmaxRows', [x + r0 * cols * 4, y + r0 * cols * 4, rc, cols, log ? 1 : 0]] as KernelCall]));
}

export interface LayerNormOptions {
  /** Byte address of beta (cols floats); none: no shift. */
  beta?: number;
  /** Byte address of a tensor shaped like x added to it first. */
  residual?: number;
  /** Where x + residual is written too (byte address; shaped like x). */
  sumOut?: number;
}

/** y = (s − mean) / sqrt(var + eps) · gamma + beta per row of `cols` floats, s = x (+ residual). */
export function layerNorm(wasm: WasmKernels, x: number, y: number, rows: number, cols: number, gamma: number, eps: number, o: LayerNormOptions = {}): void {
  const parts = splitRange(rows, threadsFor(wasm, rows * cols * ROW_COST));
  const at = (base: number | undefined, r0: number) => (base ? base + r0 * cols * 4 : 0);
  wasm.run(parts.map(([r0, rc]) => [['layerNormRows', [
    x + r0 * cols * 4, at(o.residual, r0), at(o.sumOut, r0), y + r0 * cols * 4, rc, cols, gamma, o.beta ?? 0, eps,
  ]] as KernelCall]));
}

/**
 * y[i][c][p] = x[i][c][p] · scale[c] + shift[c] (n images, `channels` planes of `plane` floats),
 * then the epilogue's residual and activation (its bias is not used: fold it into shift).
 */
export function channelAffine(
  wasm: WasmKernels, x: number, y: number, n: number, channels: number, plane: number, scale: number, shift: number, ep?: Epilogue,
): void {
  const mark = wasm.mark();
  const res = ep?.residual ?? 0;
  // images over the threads when there are enough, else the channels of each image
  const byImages = n >= wasm.threads;
  const parts = splitRange(byImages ? n : channels, threadsFor(wasm, n * channels * plane * 2));
  wasm.run(parts.map(([s0, count]): KernelCall[] => {
    const call = (i: number, images: number, c0: number, cc: number): KernelCall => {
      const off = (i * channels + c0) * plane * 4;
      const epAt = writeEpilogue(wasm, { ...ep, bias: undefined }, 0, 0, res ? res + off : 0);
      return ['channelAffine', [x + off, y + off, images, cc, plane, scale + c0 * 4, shift + c0 * 4, epAt]];
    };
    if (byImages) return [call(s0, count, 0, channels)];
    return Array.from({ length: n }, (_, i) => call(i, 1, s0, count));
  }));
  wasm.rewind(mark);
}

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
const OPS: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };

/**
 * How b broadcasts over a viewed as [outer, mid, inner]: 'same' (b shaped like a), 'mid' (one value
 * per middle index: a per-channel NCHW operand is [N, C, H·W]), 'scalar', 'inner' (a vector along
 * the last axis: [rows, 1, L]).
 */
export interface BroadcastForm {
  outer: number;
  mid: number;
  inner: number;
  b: 'same' | 'mid' | 'scalar' | 'inner';
}
const MODES = { same: 0, mid: 1, scalar: 2, inner: 3 } as const;

/** y = a ∘ b (or b ∘ a when `swap`) in the form `f`; y may be a. */
export function binary(wasm: WasmKernels, op: BinaryOp, a: number, b: number, y: number, f: BroadcastForm, swap = false): void {
  const { outer, mid, inner } = f;
  const mode = MODES[f.b];
  const total = outer * mid * inner;
  const threads = threadsFor(wasm, total);
  const call = (aAt: number, bAt: number, yAt: number, o: number, m: number, i: number): KernelCall =>
    ['binary', [OPS[op], aAt, bAt, yAt, o, m, i, mode, swap ? 1 : 0]];
  if (threads === 1) {
    wasm.run([[call(a, b, y, outer, mid, inner)]]);
    return;
  }
  if (mode === 0 || mode === 2) {
    // flat: [start, count) of the elements
    wasm.run(splitRange(total, threads, 4).map(([s, c]) => [call(a + s * 4, mode === 0 ? b + s * 4 : b, y + s * 4, 1, 1, c)]));
    return;
  }
  if (outer >= threads) {
    // whole outer blocks per thread
    const block = mid * inner;
    wasm.run(splitRange(outer, threads).map(([o0, oc]) => [call(a + o0 * block * 4, b, y + o0 * block * 4, oc, mid, inner)]));
    return;
  }
  // rows of `inner` elements (fewer outer blocks than threads): a call per outer block a thread touches
  const rows = outer * mid;
  wasm.run(splitRange(rows, threads).map(([r0, rc]): KernelCall[] => {
    const list: KernelCall[] = [];
    for (let r = r0; r < r0 + rc;) {
      const m = r % mid;
      const take = Math.min(mid - m, r0 + rc - r);
      const at = r * inner * 4;
      list.push(call(a + at, mode === 1 ? b + m * 4 : b, y + at, 1, take, inner));
      r += take;
    }
    return list;
  }));
}

/** y[0..count) = act(x[0..count)) (y may be x). */
export function unary(wasm: WasmKernels, act: Activation, x: number, y: number, count: number): void {
  const [code, p0, p1] = activationCode(act);
  const parts = splitRange(count, threadsFor(wasm, count * (code === 1 || code === 2 ? 1 : 8)), 4);
  wasm.run(parts.map(([s, c]) => [['activation', [x + s * 4, y + s * 4, c, code, p0, p1]] as KernelCall]));
}
