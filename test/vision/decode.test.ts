// Decoding JPEG/PNG against sharp (libvips with libpng and mozjpeg: a second, independent decoder),
// on the committed photographs (test/fixtures/images, see SOURCES.md) and on images sharp encodes
// here (grayscale, alpha, palette, 16-bit). Bad files must raise an InputError that names the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { InputError, UsageError } from '../../src/errors.js';
import { decodeImage, readImage } from '../../src/node/images.js';
import type { Image } from '../../src/vision/image.js';

const fixtures = new URL('../fixtures/images/', import.meta.url).pathname;

async function sharpPixels(input: Buffer | Uint8Array, channels: number) {
  // sharp hands out sRGB (gray copied to R, G, B); keep R (and alpha) to compare with a gray image
  const { data, info } = await sharp(input).raw().toBuffer({ resolveWithObject: true });
  const want = channels <= 2 ? channels + 2 : channels;
  assert.equal(info.channels, want, 'sharp and nnrt see the same channels');
  if (channels > 2) return { data, width: info.width, height: info.height };
  const n = info.width * info.height;
  const gray = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    gray[i * channels] = data[i * want]!;
    if (channels === 2) gray[i * 2 + 1] = data[i * 4 + 3]!;
  }
  return { data: gray, width: info.width, height: info.height };
}

function diff(a: Image, b: { data: Uint8Array; width: number; height: number }) {
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
  assert.equal(a.data.length, b.data.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.data.length };
}

test('PNG photographs decode to exactly the pixels sharp decodes', async () => {
  for (const [file, channels] of [['coffee.png', 3], ['camera.png', 1]] as const) {
    const ours = readImage(fixtures + file);
    assert.equal(ours.channels, channels, file);
    assert.deepEqual(diff(ours, await sharpPixels(readFileSync(fixtures + file), channels)), { max: 0, mean: 0 }, file);
  }
});

test('JPEG photographs decode close to sharp (decoders differ in IDCT rounding and chroma upsampling)', async () => {
  // 4:4:4 (no chroma subsampling): only IDCT/colour rounding differs: within 4 levels, mean under 1
  const full = diff(readImage(fixtures + 'astronaut.jpg'), await sharpPixels(readFileSync(fixtures + 'astronaut.jpg'), 3));
  assert.ok(full.max <= 4 && full.mean < 1, JSON.stringify(full));
  // 4:2:0: jpeg-js replicates chroma where libjpeg interpolates it ("fancy upsampling"), so colour
  // edges differ by more; on average still about one level
  const sub = diff(readImage(fixtures + 'chelsea.jpg'), await sharpPixels(readFileSync(fixtures + 'chelsea.jpg'), 3));
  assert.ok(sub.max <= 24 && sub.mean < 1.5, JSON.stringify(sub));
});

/** A w×h test pattern with `channels` channels, values that differ per pixel and channel. */
function pattern(w: number, h: number, channels: number): Buffer {
  return Buffer.from(Array.from({ length: w * h * channels }, (_, i) => (i * 37 + Math.floor(i / channels) * 11) % 256));
}

test('grayscale, gray + alpha, RGBA, palette and 16-bit PNGs, and grayscale JPEG', async () => {
  const w = 9;
  const h = 7;
  const cases: [string, Promise<Buffer>, number][] = [
    ['gray PNG', sharp(pattern(w, h, 1), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toBuffer(), 1],
    ['gray+alpha PNG', sharp(pattern(w, h, 2), { raw: { width: w, height: h, channels: 2 } }).toColourspace('b-w').png().toBuffer(), 2],
    ['RGBA PNG', sharp(pattern(w, h, 4), { raw: { width: w, height: h, channels: 4 } }).png().toBuffer(), 4],
    ['palette PNG', sharp(pattern(w, h, 3), { raw: { width: w, height: h, channels: 3 } }).png({ palette: true, colours: 16, dither: 0 }).toBuffer(), 3],
    ['16-bit PNG', sharp(pattern(w, h, 3), { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').png().toBuffer(), 3],
    ['gray JPEG', sharp(pattern(w, h, 1), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer(), 1],
  ];
  for (const [what, bytesP, channels] of cases) {
    const bytes = await bytesP;
    const ours = decodeImage(bytes, what);
    assert.equal(ours.channels, channels, what);
    const d = diff(ours, await sharpPixels(bytes, channels));
    // 16 → 8 bits: pngjs rounds, libvips truncates (≤ 1); JPEG: IDCT rounding; the rest is lossless
    const tol = what.startsWith('16') ? 1 : what.endsWith('JPEG') ? 4 : 0;
    assert.ok(d.max <= tol, `${what}: ${JSON.stringify(d)}`);
  }
});

test('bad image files raise an InputError naming the file and what is wrong', () => {
  const jpg = readFileSync(fixtures + 'chelsea.jpg');
  const png = readFileSync(fixtures + 'coffee.png');
  const expect = (bytes: Uint8Array, name: string, ...mentions: RegExp[]) => {
    assert.throws(() => decodeImage(bytes, name), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.match(e.message, new RegExp(`'${name}'`));
      for (const m of mentions) assert.match(e.message, m);
      return true;
    });
  };
  expect(jpg.subarray(0, Math.floor(jpg.length / 2)), 'half.jpg', /truncated JPEG/, /end-of-image marker/);
  expect(png.subarray(0, Math.floor(png.length / 2)), 'half.png', /truncated PNG/, /IEND/);
  const flipped = Buffer.from(png);
  for (let i = 100; i < 200; i++) flipped[i] = flipped[i]! ^ 0x5a;
  expect(flipped, 'flipped.png', /corrupt PNG/);
  expect(new TextEncoder().encode('hello, not an image'), 'text.jpg', /not a JPEG or PNG image/, /68 65 6c 6c/);
  expect(new TextEncoder().encode('GIF89a........'), 'anim.gif', /GIF image/);
  expect(new Uint8Array(0), 'empty.png', /empty/);
  assert.throws(() => readImage(fixtures + 'no-such-file.jpg'), UsageError);
});
