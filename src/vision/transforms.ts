// Image transforms with torchvision's semantics (centerCrop, toTensor, normalize), a typed
// `compose`, and batching. Each transform is a plain function, so a user's own steps mix in freely.
import { InputError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { createImage, type Image } from './image.js';

/** One step of a pipeline. */
export type Transform<I, O> = (input: I) => O;

/** Python's round(): halves go to the even neighbour (torchvision's centre-crop offset uses it). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Where a centred window of `crop` pixels starts along an axis of `size` pixels, as torchvision's
 * `CenterCrop`: round((size − crop) / 2) with halves to even; when the crop is larger than the image
 * it is padded with zeros, ⌊(crop − size) / 2⌋ before it (the start is then negative).
 */
export function centerCropOffset(size: number, crop: number): number {
  return crop <= size ? roundHalfEven((size - crop) / 2) : -Math.floor((crop - size) / 2);
}

/** A transform: the centred `size`×`size` (or `[height, width]`) window; zeros where it passes the edge. */
export function centerCrop(size: number | readonly [number, number]): Transform<Image, Image> {
  const [ch, cw] = typeof size === 'number' ? [size, size] : size;
  if (![ch, cw].every((v) => Number.isInteger(v) && v >= 1)) throw new InputError(`centerCrop needs a positive integer size, got ${ch}×${cw}`);
  return (image) => {
    const top = centerCropOffset(image.height, ch);
    const left = centerCropOffset(image.width, cw);
    const c = image.channels;
    const out = createImage(cw, ch, c);
    for (let y = 0; y < ch; y++) {
      const sy = top + y;
      if (sy < 0 || sy >= image.height) continue;
      const x0 = Math.max(0, -left);
      const x1 = Math.min(cw, image.width - left);
      if (x1 <= x0) continue;
      const from = (sy * image.width + left + x0) * c;
      out.data.set(image.data.subarray(from, from + (x1 - x0) * c), (y * cw + x0) * c);
    }
    return out;
  };
}

/** A transform: HWC 8-bit pixels → a float32 CHW tensor of values / 255 in [0, 1] (torchvision `ToTensor`). */
export function toTensor(): Transform<Image, Tensor<'float32'>> {
  return (image) => {
    const { width, height, channels: c, data } = image;
    const plane = width * height;
    const out = new Float32Array(plane * c);
    for (let i = 0; i < plane; i++) {
      for (let ch = 0; ch < c; ch++) out[ch * plane + i] = data[i * c + ch]! / 255;
    }
    return new Tensor('float32', [c, height, width], out);
  };
}

/**
 * A transform: (x − mean[c]) / std[c] per channel of a CHW or NCHW float32 tensor (torchvision
 * `Normalize`). The defaults are ImageNet's: mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225].
 */
export function normalize(mean: readonly number[] = IMAGENET_MEAN, std: readonly number[] = IMAGENET_STD): Transform<Tensor<'float32'>, Tensor<'float32'>> {
  if (mean.length !== std.length) throw new InputError(`normalize: ${mean.length} means but ${std.length} standard deviations`);
  if (std.some((s) => !(s !== 0 && Number.isFinite(s)))) throw new InputError(`normalize: every std must be finite and non-zero, got [${std.join(', ')}]`);
  // in float32 like torchvision, so the result matches its tensors to the last bit where possible
  const m = Float32Array.from(mean);
  const s = Float32Array.from(std);
  return (t) => {
    if (t.rank !== 3 && t.rank !== 4) throw new ShapeError(`normalize takes a CHW or NCHW tensor, got shape [${t.shape.join(',')}]`);
    const channels = t.shape[t.rank - 3]!;
    if (channels !== m.length) {
      throw new ShapeError(`normalize has ${m.length} channel means but the tensor [${t.shape.join(',')}] has ${channels} channels`, {
        hint: channels === 1 || channels === 4 ? 'convert the image with toRGB first' : undefined,
      });
    }
    const plane = t.shape[t.rank - 1]! * t.shape[t.rank - 2]!;
    const out = new Float32Array(t.size);
    for (let i = 0; i < t.size; i++) {
      const ch = Math.floor(i / plane) % channels;
      out[i] = Math.fround(Math.fround(t.data[i]! - m[ch]!) / s[ch]!);
    }
    return new Tensor('float32', t.shape, out);
  };
}

export const IMAGENET_MEAN: readonly number[] = Object.freeze([0.485, 0.456, 0.406]);
export const IMAGENET_STD: readonly number[] = Object.freeze([0.229, 0.224, 0.225]);

/** Chains transforms left to right: `compose(resize(256), centerCrop(224), toTensor(), normalize())`. */
export function compose<A, B>(t1: Transform<A, B>): Transform<A, B>;
export function compose<A, B, C>(t1: Transform<A, B>, t2: Transform<B, C>): Transform<A, C>;
export function compose<A, B, C, D>(t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>): Transform<A, D>;
export function compose<A, B, C, D, E>(t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>, t4: Transform<D, E>): Transform<A, E>;
export function compose<A, B, C, D, E, F>(t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>, t4: Transform<D, E>, t5: Transform<E, F>): Transform<A, F>;
export function compose<A, B, C, D, E, F, G>(t1: Transform<A, B>, t2: Transform<B, C>, t3: Transform<C, D>, t4: Transform<D, E>, t5: Transform<E, F>, t6: Transform<F, G>): Transform<A, G>;
export function compose(...steps: Transform<unknown, unknown>[]): Transform<unknown, unknown>;
export function compose(...steps: Transform<unknown, unknown>[]): Transform<unknown, unknown> {
  return (input) => steps.reduce((x, step) => step(x), input);
}

/** Stacks same-shaped tensors (e.g. preprocessed CHW images) into one [N, ...shape] batch. */
export function batch(tensors: readonly Tensor<'float32'>[]): Tensor<'float32'> {
  if (tensors.length === 0) throw new InputError('batch needs at least one tensor');
  const shape = tensors[0]!.shape;
  const out = new Float32Array(tensors.length * tensors[0]!.size);
  tensors.forEach((t, i) => {
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new ShapeError(`batch: tensor ${i} has shape [${t.shape.join(',')}] but tensor 0 has [${shape.join(',')}]`, {
        hint: 'resize and crop every image to the same size first',
      });
    }
    out.set(t.data, i * t.size);
  });
  return new Tensor('float32', [tensors.length, ...shape], out);
}
