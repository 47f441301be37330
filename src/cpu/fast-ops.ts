// The framework's fast kernels for element-wise and row-wise ops on the WebAssembly SIMD kernels:
// activations, Add/Sub/Mul/Div in the common broadcast forms, inference BatchNormalization,
// Softmax / LogSoftmax and LayerNormalization over the trailing axes. Each copies its operands
// in and its result out, and returns undefined outside what it handles (the reference kernel runs).
import { elementCount, normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';
import { binary, channelAffine, layerNorm, softmax, unary, type BinaryOp, type BroadcastForm } from './api-rows.js';
import type { Activation } from './epilogue.js';
import { residentCopy } from './resident.js';
import type { WasmKernels } from './wasm-kernels.js';

const f32 = (t: Tensor | undefined): t is Tensor => t !== undefined && t.dtype === 'float32';

/** Runs `body` on x copied in, returns its output (count floats at Y) as a tensor of `out`'s shape. */
export function mapped(wasm: WasmKernels, x: Tensor, out: TensorType, body: (X: number, Y: number) => void): Tensor[] {
  wasm.reset();
  const X = wasm.put(x.data as Float32Array);
  const count = elementCount(out.shape);
  const Y = wasm.alloc(count);
  body(X, Y);
  return [new Tensor('float32', out.shape, wasm.read(Y, count))];
}

export function unaryFast(wasm: WasmKernels, act: Activation, x: Tensor | undefined, out: TensorType): Tensor[] | undefined {
  if (!f32(x)) return undefined;
  return mapped(wasm, x, out, (X, Y) => unary(wasm, act, X, Y, x.data.length));
}

/**
 * How `small` broadcasts against the full `shape`: its non-1 dims (aligned right) must be one run
 * equal to those dims of `shape`; undefined otherwise.
 */
export function broadcastForm(small: readonly number[], shape: readonly number[]): BroadcastForm | undefined {
  const r = shape.length;
  if (small.length > r) return undefined;
  const s = [...new Array<number>(r - small.length).fill(1), ...small];
  if (s.every((d) => d === 1)) return { outer: 1, mid: 1, inner: elementCount(shape), b: 'scalar' };
  const d0 = s.findIndex((d) => d !== 1);
  let d1 = r;
  while (s[d1 - 1] === 1) d1--;
  for (let d = d0; d < d1; d++) if (s[d] !== shape[d]) return undefined;
  const outer = elementCount(shape.slice(0, d0));
  const mid = elementCount(shape.slice(d0, d1));
  const inner = elementCount(shape.slice(d1));
  if (outer === 1 && inner === 1) return { outer: 1, mid: 1, inner: mid, b: 'same' };
  return inner === 1 ? { outer, mid: 1, inner: mid, b: 'inner' } : { outer, mid, inner, b: 'mid' };
}

export function binaryFast(wasm: WasmKernels, op: BinaryOp, a: Tensor | undefined, b: Tensor | undefined, out: TensorType): Tensor[] | undefined {
  if (!f32(a) || !f32(b)) return undefined;
  const full = (t: Tensor) => t.rank === out.shape.length && t.shape.every((d, i) => d === out.shape[i]);
  const swap = !full(a);
  const [big, small] = swap ? [b, a] : [a, b];
  if (!full(big)) return undefined;
  const form = broadcastForm(small.shape, out.shape);
  if (!form) return undefined;
  return mapped(wasm, big, out, (A, Y) => {
    const data = small.data as Float32Array;
    const B = form.b === 'same' ? wasm.put(data) : residentCopy(wasm, data) ?? wasm.put(data);
    binary(wasm, op, A, B, Y, form, swap);
  });
}

/** Inference BatchNormalization: y = (x − mean) / sqrt(var + eps) · scale + B, per channel. */
export function batchNormFast(wasm: WasmKernels, inputs: readonly (Tensor | undefined)[], epsilon: number, training: number, outs: readonly TensorType[]): Tensor[] | undefined {
  const [x, scale, bias, mean, variance] = inputs;
  if (training || outs.length !== 1 || !f32(x) || x.rank < 2 || ![scale, bias, mean, variance].every(f32)) return undefined;
  const c = x.shape[1]!;
  const [g, b, m, v] = [scale, bias, mean, variance].map((t) => t!.data as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array];
  if (g.length !== c || b.length !== c || m.length !== c || v.length !== c) return undefined;
  return mapped(wasm, x, outs[0]!, (X, Y) => {
    const S = wasm.alloc(c);
    const T = wasm.alloc(c);
    const f = wasm.floats();
    for (let i = 0; i < c; i++) {
      const k = g[i]! / Math.sqrt(v[i]! + epsilon);
      f[S / 4 + i] = k;
      f[T / 4 + i] = b[i]! - m[i]! * k;
    }
    channelAffine(wasm, X, Y, x.shape[0]!, c, elementCount(x.shape.slice(2)), S, T);
  });
}

export function softmaxFast(wasm: WasmKernels, x: Tensor | undefined, axis: number, log: boolean, out: TensorType): Tensor[] | undefined {
  if (!f32(x) || x.rank === 0 || normalizeAxis(axis, x.rank) !== x.rank - 1) return undefined;
  const cols = x.shape[x.rank - 1]!;
  if (cols === 0) return undefined;
  return mapped(wasm, x, out, (X, Y) => softmax(wasm, X, Y, x.data.length / cols, cols, log));
}

export function layerNormFast(
  wasm: WasmKernels, [x, scale, bias]: readonly (Tensor | undefined)[], axis: number, epsilon: number, outs: readonly TensorType[],
): Tensor[] | undefined {
  if (outs.length !== 1 || !f32(x) || !f32(scale) || (bias && !f32(bias))) return undefined;
  const a = normalizeAxis(axis, x.rank);
  const cols = elementCount(x.shape.slice(a));
  if (cols === 0 || scale.data.length !== cols || (bias && bias.data.length !== cols)) return undefined;
  return mapped(wasm, x, outs[0]!, (X, Y) => {
    const put = (t: Tensor) => residentCopy(wasm, t.data as Float32Array) ?? wasm.put(t.data as Float32Array);
    layerNorm(wasm, X, Y, x.data.length / cols, cols, put(scale), epsilon, { beta: bias && put(bias) });
  });
}
