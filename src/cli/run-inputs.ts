// `nnrt run` inputs that are images, preprocessed as the flags say (ImageNet's convention by
// default, raw 0–255 pixels with --preprocess none). Seeded random inputs: src/runtime/sample-inputs.ts.
import { UsageError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { toRGB, type Image } from '../vision/image.js';
import { defaultResize, imagenetPreprocess } from '../vision/imagenet.js';
import { resize } from '../vision/resize.js';
import { centerCrop, compose, toTensor, type Transform } from '../vision/transforms.js';

export interface ImageFlags {
  /** 'imagenet' (default: resize, centre crop, /255, ImageNet mean/std) or 'none' (resize to H×W, raw 0–255). */
  preprocess?: string;
  /** Per-channel mean and std subtracted/divided after scaling (comma lists, one value or one per channel). */
  mean?: string;
  std?: string;
  /** Pixel values (0–255) are multiplied by this first (imagenet: 1/255, none: 1). */
  scale?: number;
  /** The crop / resize target: N or H,W (default the input's H×W, else 224). */
  size?: string;
}

function numbers(flag: string, v: string): number[] {
  const out = v.split(',').map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((x) => !Number.isFinite(x))) throw new UsageError(`${flag} takes numbers separated by commas, got '${v}'`);
  return out;
}

/** The crop size from --size, else `fallback`. */
export function imageSize(flags: ImageFlags, fallback: [number, number]): [number, number] {
  if (!flags.size) return fallback;
  const s = numbers('--size', flags.size);
  if (s.length > 2 || s.some((x) => !Number.isInteger(x) || x < 1)) throw new UsageError(`--size takes N or H,W (positive integers), got '${flags.size}'`);
  return [s[0]!, s[1] ?? s[0]!];
}

/** The image → [3, H, W] tensor transform the flags describe. */
export function imageTransform(flags: ImageFlags, size: [number, number]): Transform<Image, Tensor<'float32'>> {
  const preset = flags.preprocess ?? 'imagenet';
  if (preset !== 'imagenet' && preset !== 'none') throw new UsageError(`--preprocess takes imagenet or none, got '${preset}'`);
  const custom = flags.mean !== undefined || flags.std !== undefined || flags.scale !== undefined;
  if (preset === 'imagenet' && !custom) return imagenetPreprocess({ size });
  const imagenet = preset === 'imagenet';
  const mean = flags.mean !== undefined ? numbers('--mean', flags.mean) : imagenet ? [0.485, 0.456, 0.406] : [0];
  const std = flags.std !== undefined ? numbers('--std', flags.std) : imagenet ? [0.229, 0.224, 0.225] : [1];
  if (std.some((s) => s === 0)) throw new UsageError('--std values must not be 0');
  for (const [flag, v] of [['--mean', mean], ['--std', std]] as const) {
    if (v.length !== 1 && v.length !== 3) throw new UsageError(`${flag} takes one value or one per channel (3), got ${v.length}`);
  }
  const scale = (flags.scale ?? (imagenet ? 1 / 255 : 1)) * 255; // toTensor() gives pixel / 255
  // imagenet: shorter side to round(size / 0.875), centre crop; none: straight to H×W
  const geometry: Transform<Image, Image> = imagenet ? compose(resize(defaultResize(size)), centerCrop(size)) : resize(size);
  const normalize: Transform<Tensor<'float32'>, Tensor<'float32'>> = (t) => {
    const plane = t.shape[1]! * t.shape[2]!;
    const out = new Float32Array(t.data.length);
    for (let i = 0; i < out.length; i++) {
      const c = Math.floor(i / plane);
      out[i] = (t.data[i]! * scale - mean[c % mean.length]!) / std[c % std.length]!;
    }
    return new Tensor('float32', t.shape, out);
  };
  return compose(toRGB, geometry, toTensor(), normalize);
}
