// Encoded image formats ImageDecoder knows: recognised by their first bytes, with header parsers
// for the size (so shape inference need not decode) and a registry of pixel decoders. JPEG is
// decoded in the core with jpeg-js (pure JS), BMP and PNM by our own small readers; PNG's decoder (pngjs needs Node's zlib) is
// registered by the Node entry points (src/node/images.ts).
import jpeg from 'jpeg-js';
import { UnsupportedError } from '../../errors.js';
import { decodeBmp, decodePnm } from './uncompressed-formats.js';

export type ImageFormat = 'JPEG' | 'PNG' | 'BMP' | 'WebP' | 'TIFF' | 'JPEG 2000' | 'PNM' | 'GIF';

/** Decoded pixels: 8-bit RGB, row-major [height, width, 3]. */
export interface RgbPixels { width: number; height: number; rgb: Uint8Array }
export type ImageFormatDecoder = (bytes: Uint8Array) => RgbPixels;

const decoders = new Map<ImageFormat, ImageFormatDecoder>();

export function registerImageFormatDecoder(format: ImageFormat, decode: ImageFormatDecoder): void {
  decoders.set(format, decode);
}

const startsWith = (b: Uint8Array, magic: readonly number[], at = 0) => magic.every((m, i) => b[at + i] === m);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

export function detectFormat(b: Uint8Array): ImageFormat | undefined {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (ascii(b, 0, 2) === 'BM') return 'BMP';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'WebP';
  if (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*') return 'TIFF';
  if (startsWith(b, [0, 0, 0, 0x0c, 0x6a, 0x50]) || startsWith(b, [0xff, 0x4f, 0xff, 0x51])) return 'JPEG 2000';
  if (b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x37) return 'PNM';
  if (ascii(b, 0, 4) === 'GIF8') return 'GIF';
  return undefined;
}

/** Width and height from the JPEG frame header (SOFn), or undefined when there is none. */
function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 < b.length && b[at] === 0xff) {
    const marker = b[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[at + 5]! << 8) | b[at + 6]!, width: (b[at + 7]! << 8) | b[at + 8]! };
    }
    at += 2 + ((b[at + 2]! << 8) | b[at + 3]!);
  }
  return undefined;
}

/** Width and height from the PNG IHDR chunk. */
function pngSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < 24 || ascii(b, 12, 16) !== 'IHDR') return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function unsupported(format: ImageFormat | undefined, b: Uint8Array): UnsupportedError {
  const what = format ? `a ${format} image` : `not an image nnrt recognises (it starts with bytes ${Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ')})`;
  return new UnsupportedError(`the encoded data is ${what}; ImageDecoder reads ${[...decoders.keys()].join(', ')}`, {
    hint: format === 'PNG' ? 'PNG decoding is registered by the Node entry point (import nnrt/node)' : 'convert the image to JPEG or PNG',
  });
}

/** The decoded size of an encoded image, from its header alone. */
export function encodedImageSize(b: Uint8Array): { width: number; height: number } {
  const format = detectFormat(b);
  if (!format || !decoders.has(format)) throw unsupported(format, b);
  const size = format === 'JPEG' ? jpegSize(b) : format === 'PNG' ? pngSize(b) : decoders.get(format)!(b);
  if (!size) throw new UnsupportedError(`the ${format} data has no readable header (truncated or corrupt)`);
  return size;
}

export function decodeEncodedImage(b: Uint8Array): RgbPixels {
  const format = detectFormat(b);
  const decode = format && decoders.get(format);
  if (!decode) throw unsupported(format, b);
  return decode(b);
}

registerImageFormatDecoder('JPEG', (bytes) => {
  const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: true });
  return { width, height, rgb: data };
});
registerImageFormatDecoder('BMP', decodeBmp);
registerImageFormatDecoder('PNM', decodePnm);
