import { ShapeError } from '../../errors.js';
import { attr } from '../../ir/attr.js';
import { defineOp } from '../op.js';
import { encodedImageSize } from './image-formats.js';

export const PIXEL_FORMATS = ['RGB', 'BGR', 'Grayscale'] as const;

// y = the image encoded in the 1-D uint8 input, decoded to uint8 [height, width, 3] (RGB or BGR)
// or [height, width, 1] (Grayscale: ITU-R 601 luma). The size comes from the data (opset 20).
export const ImageDecoder = defineOp({
  type: 'ImageDecoder',
  domain: '',
  attrs: { pixel_format: attr.string('RGB', PIXEL_FORMATS) },
  inputs: [1, 1],
  outputs: [1, 1],
  dtypes: ['uint8'],
  valueInputs: [0],
  dataDependentShape: true,
  infer: ([encoded], { pixel_format }) => {
    if (encoded!.shape.length !== 1) throw new ShapeError(`encoded_stream must be 1-D, got [${encoded!.shape.join(',')}]`);
    const { width, height } = encodedImageSize(encoded!.value!.data as Uint8Array);
    return [{ dtype: 'uint8', shape: [height, width, pixel_format === 'Grayscale' ? 1 : 3] }];
  },
});
