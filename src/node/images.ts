// Decodes JPEG and PNG files (recognised by their first bytes, not their names) to nnrt's 8-bit
// image type with jpeg-js and pngjs. Channels are kept as the file has them (gray, gray + alpha, RGB,
// RGBA); `toRGB` (first step of `imagenetPreprocess`) makes RGB. EXIF orientation is not applied,
// as Pillow's `Image.open` (torchvision's default loader) does not apply it either.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { InputError } from '../errors.js';
import { createImage, type Image, type ImageChannels } from '../vision/image.js';
import { readFileChecked } from './files.js';
import { registerImageFormatDecoder } from '../ops/imagedecoder/image-formats.js';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

/** Formats recognised only to name them in the error. */
function otherFormat(bytes: Uint8Array): string | undefined {
  const ascii = new TextDecoder('latin1').decode(bytes.subarray(0, 12));
  if (ascii.startsWith('GIF8')) return 'GIF';
  if (ascii.startsWith('BM')) return 'BMP';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'WebP';
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return 'TIFF';
  if (ascii.slice(4, 12) === 'ftypavif' || ascii.slice(4, 12) === 'ftypheic') return 'AVIF/HEIF';
  return undefined;
}

const hex = (bytes: Uint8Array) => Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
const CONVERT_HINT = 'convert it to PNG or JPEG (e.g. with ImageMagick or Pillow)';

/** The last bytes a complete file ends with: JPEG's end-of-image marker, PNG's IEND chunk. */
function hasEnd(bytes: Uint8Array, kind: 'JPEG' | 'PNG'): boolean {
  if (kind === 'PNG') {
    const iend = new TextDecoder('latin1').decode(bytes.subarray(bytes.length - 8, bytes.length - 4));
    return iend === 'IEND';
  }
  // a few padding bytes after the marker are common; allow them
  const tail = bytes.subarray(Math.max(0, bytes.length - 64));
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}

/** The component count in the JPEG's frame header (1 for grayscale), or undefined if not found. */
function jpegComponents(bytes: Uint8Array): number | undefined {
  let at = 2;
  while (at + 9 < bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    // SOF0..SOF15 except DHT (c4), JPG (c8) and DAC (cc): length, precision, height, width, components
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return bytes[at + 9];
    if (marker === 0xda) return undefined; // scan data before any frame header
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return undefined;
}

function decodeJpeg(bytes: Uint8Array): Image {
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: true });
  const rgb = createImage(width, height, 3, data);
  if (jpegComponents(bytes) !== 1) return rgb;
  const grayImage = createImage(width, height, 1);
  for (let i = 0; i < width * height; i++) grayImage.data[i] = data[i * 3]!; // jpeg-js copies Y to R, G, B
  return grayImage;
}

function decodePng(bytes: Uint8Array): Image {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const rgba = png.data; // always RGBA, 8 bits (16-bit files are scaled, palettes expanded)
  const n = png.width * png.height;
  // alpha from the colour type, or from a tRNS chunk (which pngjs turns into alpha values)
  let alpha = png.alpha;
  for (let i = 0; !alpha && i < n; i++) alpha = rgba[i * 4 + 3] !== 255;
  const channels = ((png.color ? 3 : 1) + (alpha ? 1 : 0)) as ImageChannels;
  const out = createImage(png.width, png.height, channels);
  for (let i = 0; i < n; i++) {
    if (png.color) {
      out.data[i * channels] = rgba[i * 4]!;
      out.data[i * channels + 1] = rgba[i * 4 + 1]!;
      out.data[i * channels + 2] = rgba[i * 4 + 2]!;
    } else {
      out.data[i * channels] = rgba[i * 4]!;
    }
    if (alpha) out.data[i * channels + channels - 1] = rgba[i * 4 + 3]!;
  }
  return out;
}

/** Decodes JPEG or PNG bytes; `name` (a file name) is used in errors. */
export function decodeImage(bytes: Uint8Array, name = 'image'): Image {
  const kind = startsWith(bytes, PNG_MAGIC) ? 'PNG' : startsWith(bytes, JPEG_MAGIC) ? 'JPEG' : undefined;
  if (!kind) {
    const other = otherFormat(bytes);
    if (other) throw new InputError(`'${name}' is a ${other} image; nnrt reads JPEG and PNG`, { hint: CONVERT_HINT });
    throw new InputError(
      bytes.length === 0 ? `'${name}' is empty` : `'${name}' is not a JPEG or PNG image (it starts with bytes ${hex(bytes)})`,
      { hint: 'pass a .jpg or .png file' },
    );
  }
  try {
    return kind === 'PNG' ? decodePng(bytes) : decodeJpeg(bytes);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const why = (e as Error)?.message ?? String(e);
    if (/limit exceeded|allocate enough memory/.test(why)) {
      throw new InputError(`'${name}' is too large to decode (${why})`, { hint: 'scale the image down first (the network sees 224×224 anyway)', cause: e });
    }
    if (!hasEnd(bytes, kind)) {
      throw new InputError(`'${name}' is a truncated ${kind} file: it ends after ${bytes.length} bytes without the ${kind === 'PNG' ? 'IEND chunk' : 'end-of-image marker'} (decoder: ${why})`, {
        hint: 'the file was cut short; copy or download it again',
        cause: e,
      });
    }
    throw new InputError(`'${name}' is a corrupt ${kind} file (decoder: ${why})`, { hint: 'check that the file opens in an image viewer', cause: e });
  }
}

/** Reads and decodes a JPEG or PNG file. */
export function readImage(path: string): Image {
  return decodeImage(readFileChecked(path, 'image'), path);
}

// ImageDecoder's PNG support: pngjs needs Node's zlib, so the core leaves PNG to this entry point.
registerImageFormatDecoder('PNG', (bytes) => {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) rgb.set(png.data.subarray(i * 4, i * 4 + 3), i * 3);
  return { width: png.width, height: png.height, rgb };
});
