// Pooling on the WebAssembly SIMD kernels (the framework's fast kernels), for float32 1-D and 2-D
// MaxPool (without the Indices output) and AveragePool, global average / max pools of any rank,
// and ReduceMean / ReduceMax over trailing axes (the same kernel); other cases return undefined and the reference kernels run instead.
import { elementCount } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../ops/op.js';
import type { Window } from '../ops/_kernels/window.js';
import { conv2dGeometry } from './conv.js';
import { averagePool2d, globalPool, maxPool2d, type PoolShape } from './api-pool.js';
import type { WasmKernels } from './wasm-kernels.js';
import { mapped } from './fast-ops.js';

function poolShape(x: Tensor, window: Window, out: TensorType): PoolShape | undefined {
  if (x.dtype !== 'float32') return undefined;
  const geo = conv2dGeometry(x.shape.slice(2), out.shape.slice(2), window);
  return geo && { planes: x.shape[0]! * x.shape[1]!, ...geo };
}


export function maxPoolFast(wasm: WasmKernels, x: Tensor, window: Window, outs: readonly TensorType[]): Tensor[] | undefined {
  const s = outs.length === 1 ? poolShape(x, window, outs[0]!) : undefined;
  return s && mapped(wasm, x, outs[0]!, (X, Y) => maxPool2d(wasm, s, X, Y));
}

export function averagePoolFast(wasm: WasmKernels, x: Tensor, window: Window, includePad: boolean, out: TensorType): Tensor[] | undefined {
  const s = poolShape(x, window, out);
  return s && mapped(wasm, x, out, (X, Y) => averagePool2d(wasm, s, X, Y, includePad));
}

export function globalPoolFast(wasm: WasmKernels, kind: 'avg' | 'max', x: Tensor, out: TensorType): Tensor[] | undefined {
  if (x.dtype !== 'float32' || x.rank < 3) return undefined;
  const planes = x.shape[0]! * x.shape[1]!;
  return mapped(wasm, x, out, (X, Y) => globalPool(wasm, kind, X, Y, planes, elementCount(x.shape.slice(2))));
}

/** ReduceMean / ReduceMax over trailing axes (a global pool over the inner block); other axes: undefined. */
export function reduceTrailingFast(wasm: WasmKernels, kind: 'avg' | 'max', x: Tensor, axes: readonly number[], out: TensorType): Tensor[] | undefined {
  if (x.dtype !== 'float32' || axes.length === 0) return undefined;
  const sorted = [...axes].sort((a, b) => a - b);
  const first = x.rank - sorted.length;
  if (sorted.some((a, i) => a !== first + i)) return undefined;
  const size = elementCount(x.shape.slice(first));
  if (size === 0) return undefined;
  return mapped(wasm, x, out, (X, Y) => globalPool(wasm, kind, X, Y, elementCount(x.shape.slice(0, first)), size));
}
