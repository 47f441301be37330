import { ShapeError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { CpuKernel } from '../op.js';
import { decodeEncodedImage } from './image-formats.js';
import type { ImageDecoder } from './imagedecoder.op.js';

export const imageDecoderCpu: CpuKernel<typeof ImageDecoder.attrs> = ([encoded], { pixel_format }, [out]) => {
  const { width, height, rgb } = decodeEncodedImage(encoded!.data as Uint8Array);
  const [h, w, c] = out!.shape as [number, number, number];
  if (width !== w || height !== h) throw new ShapeError(`the decoded image is ${width}×${height}; its header said ${w}×${h}`);
  const n = width * height;
  const y = new Uint8Array(n * c);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!];
    if (pixel_format === 'Grayscale') {
      // ITU-R 601-2 luma in 16-bit fixed point, as Pillow's convert('L')
      y[i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    } else if (pixel_format === 'BGR') {
      y.set([b, g, r], i * 3);
    } else {
      y.set([r, g, b], i * 3);
    }
  }
  return [new Tensor('uint8', out!.shape, y)];
};
