// Decoders for the two uncompressed formats simple enough to need no library: binary PNM (P5
// gray, P6 RGB; 8-bit) and BMP (24- or 32-bit BI_RGB, bottom-up or top-down). Other variants
// (ASCII PNM, palettes, RLE, bitfields) are refused by name.
import { UnsupportedError } from '../../errors.js';
import type { RgbPixels } from './image-formats.js';

const corrupt = (what: string) => new UnsupportedError(`${what}; the data is truncated or a variant nnrt does not read`);

export function decodePnm(b: Uint8Array): RgbPixels {
  const kind = String.fromCharCode(b[0]!, b[1]!);
  if (kind !== 'P5' && kind !== 'P6') throw new UnsupportedError(`PNM type ${kind} is not supported (binary P5 and P6 are)`);
  // header: magic, width, height, maxval as whitespace-separated tokens (# starts a comment), one whitespace byte
  const fields: number[] = [];
  let at = 2;
  while (fields.length < 3) {
    while (at < b.length && (b[at] === 0x20 || (b[at]! >= 0x09 && b[at]! <= 0x0d) || b[at] === 0x23)) {
      if (b[at] === 0x23) while (at < b.length && b[at] !== 0x0a) at++;
      else at++;
    }
    let v = 0;
    const start = at;
    while (at < b.length && b[at]! >= 0x30 && b[at]! <= 0x39) v = v * 10 + b[at++]! - 0x30;
    if (at === start) throw corrupt('the PNM header is incomplete');
    fields.push(v);
  }
  at++;
  const [width, height, maxval] = fields as [number, number, number];
  if (maxval < 1 || maxval > 255) throw new UnsupportedError(`PNM maxval ${maxval} is not supported (8-bit files are)`);
  const channels = kind === 'P6' ? 3 : 1;
  if (b.length < at + width * height * channels) throw corrupt('the PNM pixel data is shorter than its header says');
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) {
      const v = b[at + i * channels + (channels === 3 ? c : 0)]!;
      rgb[i * 3 + c] = maxval === 255 ? v : Math.round((v * 255) / maxval);
    }
  }
  return { width, height, rgb };
}

export function decodeBmp(b: Uint8Array): RgbPixels {
  if (b.length < 54) throw corrupt('the BMP header is incomplete');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dataAt = v.getUint32(10, true);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bits = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  if ((bits !== 24 && bits !== 32) || compression !== 0) {
    throw new UnsupportedError(`BMP with ${bits} bits per pixel and compression ${compression} is not supported (uncompressed 24- and 32-bit are)`);
  }
  const height = Math.abs(rawHeight);
  const bytesPerPixel = bits / 8;
  const rowBytes = Math.ceil((width * bytesPerPixel) / 4) * 4;
  if (width <= 0 || b.length < dataAt + rowBytes * height) throw corrupt('the BMP pixel data is shorter than its header says');
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataAt + (rawHeight > 0 ? height - 1 - y : y) * rowBytes; // positive height: bottom-up
    for (let x = 0; x < width; x++) {
      const p = row + x * bytesPerPixel;
      rgb.set([b[p + 2]!, b[p + 1]!, b[p]!], (y * width + x) * 3); // stored as B, G, R
    }
  }
  return { width, height, rgb };
}
