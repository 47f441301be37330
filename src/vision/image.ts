// The decoded-image type the vision transforms work on: 8-bit pixels, interleaved (HWC), row-major.
import { InputError } from '../errors.js';

/** Channels per pixel: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
export type ImageChannels = 1 | 2 | 3 | 4;

/** An 8-bit image: `data[(y * width + x) * channels + c]`. */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly channels: ImageChannels;
  readonly data: Uint8Array;
}

/** Wraps pixel bytes as an Image after checking that sizes and length agree. */
export function createImage(width: number, height: number, channels: ImageChannels, data?: Uint8Array): Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InputError(`an image must be at least 1×1 with integer sizes, got ${width}×${height}`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new InputError(`an image has 1 to 4 channels, got ${channels}`);
  const size = width * height * channels;
  if (data && data.length !== size) {
    throw new InputError(`a ${width}×${height} image with ${channels} channel(s) needs ${size} bytes, got ${data.length}`);
  }
  return { width, height, channels, data: data ?? new Uint8Array(size) };
}

/**
 * To 3-channel RGB like Pillow's `convert('RGB')`: gray is copied to R, G and B; alpha is dropped
 * (not composited over a background), so the colour under transparent pixels is what the file stored.
 */
export function toRGB(image: Image): Image {
  if (image.channels === 3) return image;
  const n = image.width * image.height;
  const src = image.data;
  const out = new Uint8Array(n * 3);
  const c = image.channels;
  for (let i = 0; i < n; i++) {
    if (c <= 2) {
      const g = src[i * c]!;
      out[i * 3] = g;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = g;
    } else {
      out[i * 3] = src[i * c]!;
      out[i * 3 + 1] = src[i * c + 1]!;
      out[i * 3 + 2] = src[i * c + 2]!;
    }
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}
