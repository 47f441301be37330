// Seeded face-like crops of the public-domain / CC0 photographs in test/fixtures/images, for int8
// calibration and evaluation of the MXNet face models (bench/int8-faces.ts). What they contain:
// * face crops: the face of astronaut Eileen Collins (astronaut.jpg, 128×128: her face is about
//   30 px across, so crops are upsampled ~3–4× and blurry) in 3 of 4 crops, the partly hidden head
//   of the cameraman (camera.png, grayscale, ~20 px) in 1 of 4; each with a random centre shift
//   (±15 % of the side), side (0.8–1.35 × the face), rotation (±12°), horizontal flip, brightness,
//   contrast and per-channel gain (×0.7–1.3, ×0.7–1.3, ×0.9–1.1) and Gaussian noise (σ 0–8);
// * other crops (not faces): random squares of the cat (chelsea.jpg), the coffee cup (coffee.png)
//   and the backgrounds of astronaut.jpg and camera.png, with the same jitter.
// A crop is an RGB image of side `size`, as bytes (R, G, B interleaved), from its seed alone.
import { readImage } from '../src/node/images.js';
import { toRGB, type Image } from '../src/vision/image.js';

interface Region {
  file: string;
  /** Centre and side of the region in the photograph's pixels. */
  cx: number;
  cy: number;
  side: number;
}

const IMAGES = new URL('../test/fixtures/images/', import.meta.url).pathname;
const ASTRONAUT_FACE: Region = { file: 'astronaut.jpg', cx: 59, cy: 31, side: 34 };
const CAMERAMAN_HEAD: Region = { file: 'camera.png', cx: 40, cy: 29, side: 24 };

const cache = new Map<string, Image>();
const photo = (file: string): Image => {
  let img = cache.get(file);
  if (!img) cache.set(file, (img = toRGB(readImage(IMAGES + file))));
  return img;
};

/** mulberry32: a small seeded generator, so every crop is reproducible from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (r: () => number, lo: number, hi: number) => lo + (hi - lo) * r();
/** Box–Muller. */
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/** Bilinear sample of channel c at (x, y), edges clamped. */
function sample(img: Image, x: number, y: number, c: number): number {
  const cl = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => img.data[(cl(yy, img.height) * img.width + cl(xx, img.width)) * 3 + c]!;
  return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
}

/** The region warped (shift, scale, rotation, flip) and colour-jittered into a size×size RGB crop. */
function render(region: Region, size: number, r: () => number): Uint8Array {
  const img = photo(region.file);
  const side = region.side * between(r, 0.8, 1.35);
  const cx = region.cx + between(r, -0.15, 0.15) * side;
  const cy = region.cy + between(r, -0.15, 0.15) * side;
  const angle = between(r, -12, 12) * (Math.PI / 180);
  const flip = r() < 0.5 ? -1 : 1;
  const brightness = between(r, 0.7, 1.3);
  const contrast = between(r, 0.7, 1.3);
  const gain = [0, 1, 2].map(() => between(r, 0.9, 1.1));
  const sigma = between(r, 0, 8);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = ((x + 0.5) / size - 0.5) * side * flip;
      const v = ((y + 0.5) / size - 0.5) * side;
      const sx = cx + u * cos - v * sin - 0.5;
      const sy = cy + u * sin + v * cos - 0.5;
      for (let c = 0; c < 3; c++) {
        const p = ((sample(img, sx, sy, c) - 128) * contrast + 128) * brightness * gain[c]! + sigma * gauss(r);
        out[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(p)));
      }
    }
  }
  return out;
}

/** Face crop `seed`: the astronaut's face (3 in 4) or the cameraman's head. */
export function faceCrop(seed: number, size: number): Uint8Array {
  const r = rng(seed * 7919 + 17);
  return render(r() < 0.75 ? ASTRONAUT_FACE : CAMERAMAN_HEAD, size, r);
}

/** Non-face crop `seed`: a random square of the cat, the cup or a background. */
export function otherCrop(seed: number, size: number): Uint8Array {
  const r = rng(seed * 104729 + 5);
  const file = ['chelsea.jpg', 'coffee.png', 'astronaut.jpg', 'camera.png'][Math.floor(r() * 4)]!;
  const img = photo(file);
  for (;;) {
    const side = between(r, 16, Math.min(img.width, img.height) * 0.8);
    const cx = between(r, side / 2, img.width - side / 2);
    const cy = between(r, side / 2, img.height - side / 2);
    // keep clear of the two faces
    const near = (f: Region) => f.file === file && Math.abs(cx - f.cx) < (side + f.side) / 2 && Math.abs(cy - f.cy) < (side + f.side) / 2;
    if (!near(ASTRONAUT_FACE) && !near(CAMERAMAN_HEAD)) return render({ file, cx, cy, side }, size, r);
  }
}

/** An RGB crop as a [1, 3, size, size] tensor's data: channels in `order`, each value `map(byte)`. */
export function planar(crop: Uint8Array, size: number, order: 'rgb' | 'bgr', map: (v: number) => number): Float32Array {
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    const src = order === 'rgb' ? c : 2 - c;
    for (let i = 0; i < size * size; i++) out[c * size * size + i] = map(crop[i * 3 + src]!);
  }
  return out;
}
