// Host-side conversion between a tensor's logical values (row-major in its ONNX shape) and the
// bytes of its physical format. Used for constants and by tests; engine inputs and outputs are
// plain f32, so inference itself never needs it.
import type { NetTensor } from '../network.js';
import { decodeStorage, encodeStorage, imageDims } from './access.js';
import { elementCount } from '../../tensor/shape.js';

function nchwToNhwc(v: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(v.length);
  for (let b = 0; b < n!; b++) for (let ch = 0; ch < c!; ch++) for (let p = 0; p < h! * w!; p++) {
    out[(b * h! * w! + p) * c! + ch] = v[(b * c! + ch) * h! * w! + p]!;
  }
  return out;
}

function nhwcToNchw(v: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(v.length);
  for (let b = 0; b < n!; b++) for (let ch = 0; ch < c!; ch++) for (let p = 0; p < h! * w!; p++) {
    out[(b * c! + ch) * h! * w! + p] = v[(b * h! * w! + p) * c! + ch]!;
  }
  return out;
}

/** The bytes of `t` in its format, from logical values. */
export function toPhysical(values: Float32Array, t: NetTensor): Uint8Array {
  const ordered = t.format.layout === 'nhwc' ? nchwToNhwc(values, imageDims(t)) : values;
  return encodeStorage(ordered, t.format.storage);
}

/** Logical values of `t` from the bytes of its format. */
export function fromPhysical(bytes: Uint8Array, t: NetTensor): Float32Array {
  const count = elementCount(t.shape);
  const values = decodeStorage(bytes, count, t.format.storage);
  return t.format.layout === 'nhwc' ? nhwcToNchw(values, imageDims(t)) : values;
}
