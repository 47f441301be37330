// Bilinear resize with the convention of Pillow's `Image.resize(..., BILINEAR)`, which is what
// torchvision's `transforms.Resize` does to a PIL image:
//  * pixel centres at +0.5 (output pixel i samples input position (i + 0.5)·in/out − 0.5);
//  * when shrinking, the triangle filter is widened by the shrink factor (antialiasing: each output
//    pixel averages all the input pixels it covers); when enlarging it is plain bilinear;
//  * weights that fall outside the image are dropped and the rest renormalised (no edge padding);
//  * two separable passes, horizontal then vertical, each rounding to 8 bits.
// `antialias: false` keeps the filter at its unit width when shrinking: plain bilinear, like
// OpenCV's INTER_LINEAR (Gluon's `transforms.Resize` on the cv2 path).
// Pillow computes with 22-bit fixed-point weights, we in float64: a rounding tie can land on the
// other side, so values may differ by 1 (of 255) from Pillow's on rare pixels.
import { InputError } from '../errors.js';
import { createImage, type Image } from './image.js';

export interface ResizeOptions {
  /** Widen the filter when shrinking (default true, as Pillow and torchvision ≥ 0.17). */
  antialias?: boolean;
}

/** For each output pixel: the first input pixel it reads, how many, and their weights. */
interface AxisWeights {
  first: Int32Array;
  count: Int32Array;
  /** `taps` weights per output pixel. */
  weights: Float64Array;
  taps: number;
}

const triangle = (x: number) => Math.max(0, 1 - Math.abs(x));

function axisWeights(inSize: number, outSize: number, antialias: boolean): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = antialias ? Math.max(scale, 1) : 1;
  const support = filterScale; // the triangle's support is 1, widened by filterScale
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const w = triangle((j - center + 0.5) / filterScale);
      weights[i * taps + (j - lo)] = w;
      total += w;
    }
    if (total > 0) for (let j = 0; j < hi - lo; j++) weights[i * taps + j]! /= total;
    first[i] = lo;
    count[i] = hi - lo;
  }
  return { first, count, weights, taps };
}

const to8bit = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

function resizeHorizontal(src: Image, width: number, antialias: boolean): Image {
  const { first, count, weights, taps } = axisWeights(src.width, width, antialias);
  const c = src.channels;
  const out = createImage(width, src.height, c);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width * c;
    for (let x = 0; x < width; x++) {
      const f = first[x]!;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < count[x]!; k++) acc += weights[x * taps + k]! * src.data[row + (f + k) * c + ch]!;
        out.data[(y * width + x) * c + ch] = to8bit(acc);
      }
    }
  }
  return out;
}

function resizeVertical(src: Image, height: number, antialias: boolean): Image {
  const { first, count, weights, taps } = axisWeights(src.height, height, antialias);
  const c = src.channels;
  const stride = src.width * c;
  const out = createImage(src.width, height, c);
  for (let y = 0; y < height; y++) {
    const f = first[y]!;
    for (let i = 0; i < stride; i++) {
      let acc = 0;
      for (let k = 0; k < count[y]!; k++) acc += weights[y * taps + k]! * src.data[(f + k) * stride + i]!;
      out.data[y * stride + i] = to8bit(acc);
    }
  }
  return out;
}

/** Resizes to exactly `height`×`width` (see the file comment for the convention). */
export function resizeTo(image: Image, height: number, width: number, opts: ResizeOptions = {}): Image {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new InputError(`resize needs a positive integer size, got ${height}×${width}`);
  }
  const antialias = opts.antialias ?? true;
  let out = image;
  if (width !== image.width) out = resizeHorizontal(out, width, antialias);
  if (height !== image.height) out = resizeVertical(out, height, antialias);
  return out;
}

/**
 * The output size of torchvision's `Resize(size)`: a number scales the shorter side to `size` and the
 * longer side to ⌊size · long / short⌋, keeping the aspect ratio; `[height, width]` is taken as is.
 */
export function resizedSize(height: number, width: number, size: number | readonly [number, number]): [number, number] {
  if (typeof size !== 'number') return [size[0], size[1]];
  if (!Number.isInteger(size) || size < 1) throw new InputError(`resize needs a positive integer size, got ${size}`);
  if (height <= width) return [size, Math.floor((size * width) / height)];
  return [Math.floor((size * height) / width), size];
}

/** A transform: the shorter side to `size` (aspect kept), or exactly `[height, width]`. */
export function resize(size: number | readonly [number, number], opts: ResizeOptions = {}): (image: Image) => Image {
  return (image) => {
    const [h, w] = resizedSize(image.height, image.width, size);
    return resizeTo(image, h, w, opts);
  };
}
