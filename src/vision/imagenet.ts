// The usual ImageNet evaluation preprocessing (torchvision's and Gluon's reference scripts):
// RGB → shorter side to `resize` → centre crop `size` → [0, 1] CHW → normalize with mean/std.
import { toRGB, type Image } from './image.js';
import { resize as resizeShorter } from './resize.js';
import { centerCrop, compose, IMAGENET_MEAN, IMAGENET_STD, normalize, toTensor, type Transform } from './transforms.js';
import type { Tensor } from '../tensor/tensor.js';

export interface ImagenetPreprocessOptions {
  /** The crop the model takes: a side, or [height, width] (default 224). */
  size?: number | readonly [number, number];
  /** The shorter side before cropping (default round(size / 0.875): 256 for 224, 342 for 299). */
  resize?: number;
  mean?: readonly number[];
  std?: readonly number[];
  /** Antialiased (Pillow-style) shrinking; false for plain bilinear like OpenCV (default true). */
  antialias?: boolean;
}

/** The side to resize to before a centre crop of `size` (the 0.875 crop ratio of the reference scripts). */
export function defaultResize(size: number | readonly [number, number]): number {
  const side = typeof size === 'number' ? size : Math.max(size[0], size[1]);
  return Math.round(side / 0.875);
}

/** An 8-bit image (any channel count) → a normalized float32 [3, H, W] tensor. */
export function imagenetPreprocess(opts: ImagenetPreprocessOptions = {}): Transform<Image, Tensor<'float32'>> {
  const size = opts.size ?? 224;
  return compose(
    toRGB,
    resizeShorter(opts.resize ?? defaultResize(size), { antialias: opts.antialias ?? true }),
    centerCrop(size),
    toTensor(),
    normalize(opts.mean ?? IMAGENET_MEAN, opts.std ?? IMAGENET_STD),
  );
}
