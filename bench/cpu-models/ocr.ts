// A PaddleOCR-like text recognizer (CRNN with a CTC head), as an exporter writes it: a conv backbone
// on a 3×32×320 line image (Conv + BatchNormalization + Relu, pools that halve the height faster
// than the width) down to 256 channels × 1 × 80 columns; the columns become a sequence
// (Reshape, Transpose to [time, batch, features]); two bidirectional LSTM layers of hidden 96 (each
// followed by the Transpose/Reshape that merges the directions); a linear layer to 97 classes
// (96 characters + the CTC blank) and Softmax. Weights are seeded random.
import { OnnxBuilder } from './onnx-builder.js';

export const OCR_INPUT = [1, 3, 32, 320];
const HIDDEN = 96;
const CLASSES = 97;

export function ocrOnnx(seed: number): Uint8Array {
  const g = new OnnxBuilder(seed);
  let x = g.input('x', 'float32', OCR_INPUT);
  let channels = 3;
  const convBnRelu = (out: number) => {
    const w = g.weight('conv.weight', [out, channels, 3, 3], Math.sqrt(6 / (channels * 9)));
    const conv = g.node('Conv', [x, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    const bn = g.node('BatchNormalization', [
      conv, g.filled('bn.scale', [out], 1), g.weight('bn.bias', [out], 0.1), g.weight('bn.mean', [out], 0.1), g.filled('bn.var', [out], 1),
    ], { epsilon: { f: 1e-5 } });
    x = g.node('Relu', [bn]);
    channels = out;
  };
  const pool = (kh: number, kw: number) => {
    x = g.node('MaxPool', [x], { kernel_shape: [kh, kw], strides: [kh, kw] });
  };
  convBnRelu(32); pool(2, 2); // 16 × 160
  convBnRelu(64); pool(2, 2); // 8 × 80
  convBnRelu(128); convBnRelu(128); pool(2, 1); // 4 × 80
  convBnRelu(256); convBnRelu(256); pool(2, 1); // 2 × 80
  convBnRelu(256); pool(2, 1); // 1 × 80
  const T = OCR_INPUT[3]! / 4;
  // [1, 256, 1, T] → [T, 1, 256]
  let seq = g.node('Transpose', [g.node('Reshape', [x, g.ints([1, channels, T])])], { perm: [2, 0, 1] });
  let features = channels;
  for (let layer = 0; layer < 2; layer++) {
    const s = 1 / Math.sqrt(HIDDEN);
    const [y] = g.nodeN('LSTM', [
      seq, g.weight('lstm.W', [2, 4 * HIDDEN, features], s), g.weight('lstm.R', [2, 4 * HIDDEN, HIDDEN], s), g.weight('lstm.B', [2, 8 * HIDDEN], s),
    ], 1, { direction: 'bidirectional', hidden_size: HIDDEN }, 'LSTM');
    // Y [T, 2, 1, H] → [T, 1, 2H]
    seq = g.node('Reshape', [g.node('Transpose', [y!], { perm: [0, 2, 1, 3] }), g.ints([T, 1, 2 * HIDDEN])]);
    features = 2 * HIDDEN;
  }
  const batchFirst = g.node('Transpose', [seq], { perm: [1, 0, 2] });
  const logits = g.node('Add', [g.node('MatMul', [batchFirst, g.weight('fc.weight', [features, CLASSES], 0.5)]), g.weight('fc.bias', [CLASSES], 0.1)]);
  g.identity(g.node('Softmax', [logits], { axis: 2 }), 'probs');
  g.output('probs', 'float32', [1, T, CLASSES]);
  return g.encode('ocr_crnn', 17);
}
