// Conv on the WebAssembly SIMD kernels (the framework's fast kernel), for float32 1-D and 2-D
// convolutions (a 1-D conv is a 2-D one with a height of 1), through kernel-api's conv2d. Constant
// weights (initializers) are packed once and stay resident in the kernels' memory; per call only
// the input is copied in and the output out. Other cases return undefined (the reference kernel runs).
import { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';
import { windowPads, type Window } from '../ops/_kernels/window.js';
import { conv2d, packConvWeights, type ConvShape } from './api-conv.js';
import { residentCopy, residentPacked } from './resident.js';
import type { WasmKernels } from './wasm-kernels.js';

/** 2-D geometry of a conv or pool: image, kernel, strides, dilations, leading pads, output. */
export interface Conv2d {
  ih: number; iw: number; kh: number; kw: number; sh: number; sw: number;
  dh: number; dw: number; ph: number; pw: number; oh: number; ow: number;
  /** Trailing pads. */
  phEnd: number; pwEnd: number;
}

/** The 2-D geometry of a 1-D or 2-D window, or undefined for other ranks. */
export function conv2dGeometry(image: readonly number[], windows: readonly number[], w: Window): Conv2d | undefined {
  const pads = windowPads(image, windows, w);
  if (image.length === 2) {
    return {
      ih: image[0]!, iw: image[1]!, kh: w.kernel[0]!, kw: w.kernel[1]!, sh: w.strides[0]!, sw: w.strides[1]!,
      dh: w.dilations[0]!, dw: w.dilations[1]!, ph: pads[0]!, pw: pads[1]!, oh: windows[0]!, ow: windows[1]!,
      phEnd: pads[2]!, pwEnd: pads[3]!,
    };
  }
  if (image.length === 1) {
    return {
      ih: 1, iw: image[0]!, kh: 1, kw: w.kernel[0]!, sh: 1, sw: w.strides[0]!,
      dh: 1, dw: w.dilations[0]!, ph: 0, pw: pads[0]!, oh: 1, ow: windows[0]!, phEnd: 0, pwEnd: pads[1]!,
    };
  }
  return undefined;
}

export function convFast(
  wasm: WasmKernels, x: Tensor, w: Tensor, b: Tensor | undefined, group: number, window: Window, out: TensorType,
): Tensor[] | undefined {
  if (x.dtype !== 'float32' || w.dtype !== 'float32' || (b && b.dtype !== 'float32')) return undefined;
  const geo = conv2dGeometry(x.shape.slice(2), out.shape.slice(2), window);
  if (!geo) return undefined;
  const s: ConvShape = { n: x.shape[0]!, c: x.shape[1]!, m: w.shape[0]!, group, ...geo };
  const wData = w.data as Float32Array;
  const bData = b?.data as Float32Array | undefined;
  wasm.reset();
  // resident forms first, while the arena is empty (blocks then sit below it)
  const key = `conv:${s.m}:${group}:${s.c / group}:${s.kh}:${s.kw}`;
  const packed = residentPacked(wasm, wData, key, () => packConvWeights(wasm, wData, s));
  const bias = bData && (residentCopy(wasm, bData) ?? wasm.put(bData));
  const weights = packed ?? packConvWeights(wasm, wData, s, true);
  const X = wasm.put(x.data as Float32Array);
  const count = s.n * s.m * s.oh * s.ow;
  const Y = wasm.alloc(count);
  conv2d(wasm, s, X, weights, Y, bias ? { bias } : undefined);
  return [new Tensor('float32', out.shape, wasm.read(Y, count))];
}
