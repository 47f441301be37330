import { elementCount, stridesOf } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { f32Of, floatResult } from '../_kernels/float.js';
import { poolTable } from '../_kernels/pool.js';
import { windowOf, windowPads } from '../_kernels/window.js';
import type { MaxPool } from './maxpool.op.js';

export const maxPoolCpu: CpuKernel<typeof MaxPool.attrs> = ([x], a, outs) => {
  const out = outs[0]!;
  const image = x!.shape.slice(2);
  const windows = out.shape.slice(2);
  const window = windowOf(a, a.kernel_shape);
  const { starts, offsets } = poolTable(image, windows, window, windowPads(image, windows, window));
  // 8-bit integers are exact in float32, so every dtype pools on a Float32Array.
  const X = x!.dtype === 'int8' || x!.dtype === 'uint8' ? Float32Array.from(x!.numeric()) : f32Of(x!);
  const planes = x!.shape[0]! * x!.shape[1]!;
  const imageSize = elementCount(image);
  const P = elementCount(windows);
  const Y = new Float32Array(planes * P);
  const wantIndices = outs.length > 1;
  const indices = new Float64Array(wantIndices ? planes * P : 0);
  const toColumnMajor = a.storage_order === 1 ? columnMajorIndex(image) : undefined;
  for (let plane = 0; plane < planes; plane++) {
    const xAt = plane * imageSize;
    if (!wantIndices) {
      for (let p = 0; p < P; p++) {
        let best = -Infinity;
        for (let t = starts[p]!; t < starts[p + 1]!; t++) {
          const v = X[xAt + offsets[t]!]!;
          if (v > best || Number.isNaN(v)) best = v; // NaN wins and stays (numpy, PyTorch)
        }
        Y[plane * P + p] = best;
      }
      continue;
    }
    for (let p = 0; p < P; p++) {
      let arg = offsets[starts[p]!]!;
      for (let t = starts[p]! + 1; t < starts[p + 1]!; t++) if (X[xAt + offsets[t]!]! > X[xAt + arg]!) arg = offsets[t]!;
      Y[plane * P + p] = X[xAt + arg]!;
      indices[plane * P + p] = xAt + (toColumnMajor ? toColumnMajor(arg) : arg);
    }
  }
  const y = floatResult(out.dtype, out.shape, Y);
  return wantIndices ? [y, Tensor.fromNumeric('int64', outs[1]!.shape, indices)] : [y];
};

/** Maps a row-major offset within a plane to its column-major (first dim fastest) offset. */
function columnMajorIndex(image: readonly number[]): (rowMajor: number) => number {
  const rowStrides = stridesOf(image);
  const colStrides = stridesOf([...image].reverse()).reverse();
  return (off) => {
    let result = 0;
    for (let d = 0; d < image.length; d++) {
      result += (Math.floor(off / rowStrides[d]!) % image[d]!) * colStrides[d]!;
    }
    return result;
  };
}
