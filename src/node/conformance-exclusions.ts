// Backend-test folders that nnrt does not run, each with its reason. The same list applies to
// every device unless `devices` narrows it. Keep this list short and every reason specific.
export interface Exclusion {
  pattern: RegExp;
  reason: string;
  devices?: readonly string[];
}

export const CONFORMANCE_EXCLUSIONS: readonly Exclusion[] = [
  {
    pattern: /^test_training_dropout(_default)?(_mask)?$/,
    reason: 'training-mode Dropout with ratio > 0 draws a random mask; ONNX leaves the generator unspecified and the expected outputs are numpy RandomState(seed) draws (the zero-ratio cases run)',
  },
  {
    pattern: /^test_image_decoder_decode_(jpeg2k|tiff|webp)_rgb$/,
    reason: 'JPEG 2000, TIFF and WebP have no maintained pure-JS decoder nnrt can use in its core (ImageDecoder reads JPEG, PNG, BMP and PNM)',
  },
  {
    pattern: /^test_image_decoder_decode_jpeg_(rgb|bgr|grayscale)$/,
    reason: 'the expected pixels are libjpeg\'s (Pillow: integer IDCT, fancy chroma upsampling); jpeg-js rounds its IDCT differently and upsamples chroma by replication, up to 64 levels apart on these random-noise images, and the test compares uint8 exactly; test/ops/indexing-ops.test.ts checks their luma within 1.5 levels',
  },
  {
    pattern: /^test_(adagrad|adam|momentum|nesterov_momentum)(_multiple)?$/,
    reason: 'the ai.onnx.preview.training optimizers (Adagrad, Adam, Momentum) update weights during training; nnrt is an inference runtime and leaves that domain out',
  },
  {
    pattern: /^test_bernoulli(_double|_seed)?(_expanded)?$/,
    reason: 'Bernoulli (and RandomUniformLike in the expanded form) draws at random; ONNX leaves the generator unspecified and the expected outputs are numpy draws, compared value by value (nnrt draws from its own seeded mulberry32)',
  },
];

export function exclusionFor(folder: string, device: string): string | undefined {
  for (const e of CONFORMANCE_EXCLUSIONS) {
    if (e.pattern.test(folder) && (!e.devices || e.devices.includes(device))) return e.reason;
  }
  return undefined;
}
