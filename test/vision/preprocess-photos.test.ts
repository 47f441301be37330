// ImageNet preprocessing of real photographs (test/fixtures/images, see SOURCES.md) against a
// reference written here independently of src/vision: pixels decoded by sharp (libvips), a direct
// 2-D evaluation of the antialiased bilinear filter in float64 (one rounding at the end, where
// Pillow and nnrt round after each pass), torchvision's crop and normalization formulas.
// Tolerances are in 8-bit levels (|Δ| · std · 255): ≤ 1 for the transforms themselves (the
// intermediate rounding); what decoding adds is stated per file below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { readImage } from '../../src/node/images.js';
import { imagenetPreprocess } from '../../src/vision/imagenet.js';
import type { Image } from '../../src/vision/image.js';

const fixtures = new URL('../fixtures/images/', import.meta.url).pathname;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

interface Rgb { width: number; height: number; data: Uint8Array }

async function sharpRgb(file: string): Promise<Rgb> {
  const { data, info } = await sharp(fixtures + file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  return { width: info.width, height: info.height, data };
}

function ourRgb(image: Image): Rgb {
  if (image.channels === 3) return image;
  const n = image.width * image.height;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i++) data[i] = image.data[Math.floor(i / 3) * image.channels]!; // gray photos only
  return { width: image.width, height: image.height, data };
}

/** Weight of input pixel `i` for output pixel `o`: a triangle over input coordinates, widened when shrinking. */
function weightsAlong(inSize: number, outSize: number, antialias: boolean): number[][] {
  const scale = inSize / outSize;
  const width = antialias ? Math.max(1, scale) : 1;
  return Array.from({ length: outSize }, (_, o) => {
    const centre = (o + 0.5) * scale; // output pixel centre in input coordinates
    const w = Array.from({ length: inSize }, (_, i) => Math.max(0, 1 - Math.abs(i + 0.5 - centre) / width));
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / total);
  });
}

/** The reference: resize shorter side → centre crop → (x/255 − mean) / std, as CHW. */
function reference(img: Rgb, crop: number, shorter: number, antialias: boolean): Float64Array {
  const [rh, rw] = img.height <= img.width ? [shorter, Math.floor((shorter * img.width) / img.height)] : [Math.floor((shorter * img.height) / img.width), shorter];
  const wy = weightsAlong(img.height, rh, antialias);
  const wx = weightsAlong(img.width, rw, antialias);
  // Python's round((size − crop) / 2): an exact half goes to the even neighbour
  const offset = (size: number) => {
    const d = size - crop;
    const half = Math.floor(d / 2);
    return d % 2 === 0 || half % 2 === 0 ? half : half + 1;
  };
  const top = offset(rh);
  const left = offset(rw);
  const out = new Float64Array(3 * crop * crop);
  for (let y = 0; y < crop; y++) {
    for (let x = 0; x < crop; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        wy[top + y]!.forEach((a, sy) => {
          if (a === 0) return;
          wx[left + x]!.forEach((b, sx) => {
            if (b !== 0) acc += a * b * img.data[(sy * img.width + sx) * 3 + c]!;
          });
        });
        const pixel = Math.min(255, Math.max(0, Math.round(acc)));
        out[c * crop * crop + y * crop + x] = (pixel / 255 - MEAN[c]!) / STD[c]!;
      }
    }
  }
  return out;
}

function levels(ours: ArrayLike<number>, ref: Float64Array, crop: number) {
  assert.equal(ours.length, ref.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i]! - ref[i]!) * STD[Math.floor(i / (crop * crop))]! * 255;
    max = Math.max(max, d);
    sum += d;
  }
  return { max: Number(max.toFixed(3)), mean: sum / ref.length };
}

// crop/resize pairs: ImageNet's 224/256 enlarges these small photos; 40/46 and 57/65 shrink them
// (antialiasing) and give odd crop offsets
const CONFIGS = [
  { crop: 224, shorter: 256, antialias: true },
  { crop: 40, shorter: 46, antialias: true },
  { crop: 57, shorter: 65, antialias: true },
  { crop: 40, shorter: 46, antialias: false },
];

// decoding differences against sharp (see decode.test.ts): PNG none; JPEG 4:4:4 IDCT rounding;
// JPEG 4:2:0 also chroma upsampling (jpeg-js replicates, libjpeg interpolates)
const PHOTOS = [
  { file: 'coffee.png', max: 1, mean: 0.5 },
  { file: 'camera.png', max: 1, mean: 0.5 },
  { file: 'astronaut.jpg', max: 5, mean: 1 },
  { file: 'chelsea.jpg', max: 25, mean: 1.5 },
];

for (const { file, max, mean } of PHOTOS) {
  test(`${file}: preprocessing matches the independent reference`, async () => {
    const decoded = readImage(fixtures + file);
    const bySharp = await sharpRgb(file);
    for (const { crop, shorter, antialias } of CONFIGS) {
      const ours = imagenetPreprocess({ size: crop, resize: shorter, antialias })(decoded);
      assert.deepEqual(ours.shape, [3, crop, crop]);
      const what = `${file} crop ${crop} resize ${shorter}${antialias ? '' : ' no antialias'}`;
      // the transforms alone: the reference fed with the pixels nnrt decoded
      const same = levels(ours.data, reference(ourRgb(decoded), crop, shorter, antialias), crop);
      assert.ok(same.max <= 1 && same.mean < 0.5, `${what}, nnrt's pixels: ${JSON.stringify(same)}`);
      // end to end: the reference fed with sharp's pixels
      const e2e = levels(ours.data, reference(bySharp, crop, shorter, antialias), crop);
      assert.ok(e2e.max <= max && e2e.mean < mean, `${what}, sharp's pixels: ${JSON.stringify(e2e)}`);
    }
  });
}
