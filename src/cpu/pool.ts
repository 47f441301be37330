// MaxPool on the WebAssembly SIMD kernel, for float32 1-D and 2-D pools without the Indices
// output; other cases return undefined and the reference kernel runs instead.
import { elementCount } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';
import type { Window } from '../ops/_kernels/window.js';
import { conv2dGeometry } from './conv.js';
import { scratchPerThread, splitRange, threadsFor } from './parallel.js';
import type { KernelCall } from './thread-pool.js';
import type { WasmKernels } from './wasm-kernels.js';

export function maxPoolFast(wasm: WasmKernels, x: Tensor, window: Window, outs: readonly TensorType[]): Tensor[] | undefined {
  const out = outs[0]!;
  if (x.dtype !== 'float32' || outs.length > 1) return undefined;
  const geo = conv2dGeometry(x.shape.slice(2), out.shape.slice(2), window);
  if (!geo) return undefined;
  const { ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow } = geo;
  const { k } = wasm.reset();
  const X = wasm.put(x.numeric() as Float32Array);
  const count = elementCount(out.shape);
  const Y = wasm.alloc(count);
  const scratch = scratchPerThread(wasm, k.poolScratchFloats(oh, ow, kh, kw, sh, sw, dh, dw));
  const parts = splitRange(x.shape[0]! * x.shape[1]!, threadsFor(wasm, count * kh * kw * 4));
  wasm.run(parts.map(([p0, pc], t) => [['maxPool2d', [
    X + p0 * ih * iw * 4, Y + p0 * oh * ow * 4, pc, ih, iw, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, scratch[t]!,
  ]] as KernelCall]));
  return [new Tensor('float32', out.shape, wasm.read(Y, count))];
}
