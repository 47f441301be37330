// Conv on the WebAssembly SIMD kernels, for float32 1-D and 2-D convolutions (a 1-D conv is a 2-D
// one with a height of 1). Per image and group Y_g = W_g · col(X_g) with the packed GEMM (a 1×1,
// stride-1, unpadded conv multiplies X_g directly); depthwise convs (one input channel per group)
// run a direct kernel. Anything else returns undefined and the reference kernel runs instead.
import { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';
import { windowPads, type Window } from '../ops/_kernels/window.js';
import { parallelGemm, scratchPerThread, splitRange, threadsFor } from './parallel.js';
import type { KernelCall } from './thread-pool.js';
import type { WasmKernels } from './wasm-kernels.js';

/** 2-D geometry of a conv: image, kernel, strides, dilations, leading pads, output. */
export interface Conv2d {
  ih: number; iw: number; kh: number; kw: number; sh: number; sw: number;
  dh: number; dw: number; ph: number; pw: number; oh: number; ow: number;
}

/** The 2-D geometry of a 1-D or 2-D window, or undefined for other ranks. */
export function conv2dGeometry(image: readonly number[], windows: readonly number[], w: Window): Conv2d | undefined {
  const pads = windowPads(image, windows, w);
  if (image.length === 2) {
    return {
      ih: image[0]!, iw: image[1]!, kh: w.kernel[0]!, kw: w.kernel[1]!, sh: w.strides[0]!, sw: w.strides[1]!,
      dh: w.dilations[0]!, dw: w.dilations[1]!, ph: pads[0]!, pw: pads[1]!, oh: windows[0]!, ow: windows[1]!,
    };
  }
  if (image.length === 1) {
    return {
      ih: 1, iw: image[0]!, kh: 1, kw: w.kernel[0]!, sh: 1, sw: w.strides[0]!,
      dh: 1, dw: w.dilations[0]!, ph: 0, pw: pads[0]!, oh: 1, ow: windows[0]!,
    };
  }
  return undefined;
}

export function convFast(
  wasm: WasmKernels, x: Tensor, w: Tensor, b: Tensor | undefined, group: number, window: Window, out: TensorType,
): Tensor[] | undefined {
  if (x.dtype !== 'float32' || w.dtype !== 'float32') return undefined;
  const geo = conv2dGeometry(x.shape.slice(2), out.shape.slice(2), window);
  if (!geo) return undefined;
  const [n, c] = x.shape as [number, number];
  const m = w.shape[0]!;
  const P = geo.oh * geo.ow;
  const cg = c / group;
  const mg = m / group;
  const { k } = wasm.reset();
  const X = wasm.put(x.numeric() as Float32Array);
  const W = wasm.put(w.numeric() as Float32Array);
  const B = b ? wasm.put(b.numeric() as Float32Array) : 0;
  const count = n * m * P;
  const Y = wasm.alloc(count);
  const { ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow } = geo;
  if (cg === 1) {
    // one input channel per group: channels split over the threads, a padded plane each
    const scratch = scratchPerThread(wasm, k.depthwiseScratchFloats(oh, ow, kh, kw, sh, sw, dh, dw));
    const parts = splitRange(c, threadsFor(wasm, n * m * P * kh * kw * 4));
    const plane = ih * iw * 4;
    const outPlane = P * 4;
    wasm.run(parts.map(([c0, cc], t) => Array.from({ length: n }, (_, i): KernelCall => ['depthwise2d', [
      X + (i * c + c0) * plane, W + c0 * mg * kh * kw * 4, b ? B + c0 * mg * 4 : 0, b ? 1 : 0,
      Y + (i * m + c0 * mg) * outPlane, 1, cc, mg, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, scratch[t]!,
    ]])));
    return [new Tensor('float32', out.shape, wasm.read(Y, count))];
  }
  if (b) {
    const bias = b.numeric() as Float32Array;
    const f = wasm.floats();
    for (let i = 0; i < n * m; i++) f.fill(bias[i % m]!, Y / 4 + i * P, Y / 4 + (i + 1) * P);
  }
  const K = cg * kh * kw;
  const direct = kh === 1 && kw === 1 && sh === 1 && sw === 1 && ph === 0 && pw === 0 && oh === ih && ow === iw;
  const col = direct ? 0 : wasm.alloc(K * P);
  const scratch = scratchPerThread(wasm, k.gemmScratchFloats());
  const imageBytes = ih * iw * 4;
  for (let i = 0; i < n; i++) {
    for (let g = 0; g < group; g++) {
      const xAt = X + (i * c + g * cg) * imageBytes;
      if (!direct) {
        const parts = splitRange(cg, threadsFor(wasm, K * P * 8));
        wasm.run(parts.map(([c0, cc]) => [['im2col2d', [
          xAt + c0 * imageBytes, cc, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, col + c0 * kh * kw * P * 4,
        ]] as KernelCall]));
      }
      const yAt = Y + (i * m + g * mg) * P * 4;
      parallelGemm(wasm, mg, P, K, W + g * mg * K * 4, K, 1, direct ? xAt : col, P, 1, yAt, P, b !== undefined, 1, scratch);
    }
  }
  return [new Tensor('float32', out.shape, wasm.read(Y, count))];
}
